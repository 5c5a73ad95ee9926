"""The print service: content -> PDF -> file written whole -> a record of the print.

One way to print, for the command line (`recommend --handout/--clinician-summary`,
`reprint`) and the window (export, preview, the background print job):

    options = PrintOptions("patient", printed_on=today, prescriber="Dr A", paper="letter")
    printed = render(recommendation, options, kb=kb)          # PrintRecord (no file yet)
    saved = write_prints([printed.to(label, path)], force=False, record=save)

- `render` builds the content (logic) and lays it out (reportlab). A case that cannot be
  printed (no regimen, no clinic phone, a name too long to lay out) raises `PrintError`,
  and nothing is written.
- `write_prints` writes the files whole or not at all (`output`: staged, 0600, a link or
  device never replaced, an existing file only with `force`), calling `record` between
  staging and publishing: a refused record leaves no file, and a recorded print names a
  file that exists. A failure after the record raises `PublishError` carrying the record.
- `PrintRecord.options` are exactly what is needed to print the same bytes again
  (`PrintOptions.from_recorded`); the records store them with the print.

No Qt and no records here (import-linter floors): the caller passes the record as a callback
(`PrintRecorder`) or stores the returned `PrintRecord` itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from baclofen_cds.handout.output import (
    Output,
    OutputError,
    check_target,
    discard,
    publish,
    stage,
)

if TYPE_CHECKING:
    from baclofen_cds.logic.knowledge import KnowledgeBase
    from baclofen_cds.logic.result import Recommendation

Variant = Literal["patient", "clinician"]
VARIANTS: tuple[Variant, ...] = ("patient", "clinician")

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class PrintError(ValueError):
    """No PDF can be made for this case: one sentence a clinician can act on."""


class PublishError(OutputError):
    """A file could not be put in place after its print was recorded."""

    def __init__(self, message: str, recorded: object) -> None:
        super().__init__(message)
        self.recorded = recorded


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """How one PDF is made. `large_print`, `diary` and `language` are the patient
    handout's; `acknowledgements` (alert id -> reason as printed) the clinician summary's.
    `language` None: the case's handout language."""

    variant: Variant
    printed_on: date
    prescriber: str | None = None
    paper: str = "a4"
    large_print: bool = False
    diary: bool = True
    language: str | None = None
    acknowledgements: Mapping[str, str] = field(default_factory=dict)

    def recorded(self) -> dict[str, Any]:
        """The options as stored with the print (a default left out where old records
        leave it out, so that a reprint of an old print matches)."""
        out: dict[str, Any] = {
            "printed_on": self.printed_on.isoformat(),
            "prescriber": self.prescriber,
        }
        if self.variant == "patient":
            out["large_print"] = self.large_print
            out["paper"] = self.paper
            if not self.diary:
                out["diary"] = False
            if self.language is not None:
                out["language"] = self.language
        else:
            out["paper"] = self.paper
            if self.acknowledgements:
                out["acknowledgements"] = dict(self.acknowledgements)
        return out

    @classmethod
    def from_recorded(
        cls, variant: Variant, options: Mapping[str, Any], *, default_day: date
    ) -> PrintOptions:
        """The options a stored print was made with (`recorded()` read back); a print
        recorded without a date is dated `default_day`."""
        printed_on = options.get("printed_on")
        return cls(
            variant=variant,
            printed_on=date.fromisoformat(printed_on) if printed_on else default_day,
            prescriber=options.get("prescriber"),
            paper=str(options.get("paper") or "a4"),
            large_print=bool(options.get("large_print", False)),
            diary=options.get("diary") is not False,
            language=options.get("language"),
            acknowledgements=dict(options.get("acknowledgements") or {}),
        )


@dataclass(frozen=True, slots=True)
class PrintRecord:
    """One PDF made: what to store with the assessment, and where it goes (if to a file)."""

    variant: Variant
    pdf: bytes
    options: Mapping[str, Any]
    label: str = ""
    target: Path | None = None
    #: characters of the patient's or prescriber's name the font cannot print (shown as a
    #: replacement mark); said to the clinician, not recorded.
    unprintable: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return sha256(self.pdf).hexdigest()

    def to(self, label: str, target: Path) -> PrintRecord:
        """The same print, to be written to `target` (`label` names it in messages)."""
        return replace(self, label=label, target=target)

    def as_tuple(self) -> tuple[str, bytes, dict[str, Any]]:
        return self.variant, self.pdf, dict(self.options)


class PrintRecorder(Protocol[T_co]):
    """Records the prints of one write (e.g. saves the assessment with them); called after
    the files are staged and before they are published. An exception leaves no file."""

    def __call__(self, printed: Sequence[PrintRecord], /) -> T_co: ...


def render(
    recommendation: Recommendation, options: PrintOptions, *, kb: KnowledgeBase | None = None
) -> PrintRecord:
    """Content and PDF for one print; `PrintError` when it cannot be made."""
    from reportlab.platypus.doctemplate import LayoutError

    from baclofen_cds.handout import render_clinician_summary, render_handout
    from baclofen_cds.handout.fonts import unprintable_characters
    from baclofen_cds.logic.handout_content import HandoutError, build_handout
    from baclofen_cds.logic.handout_summary import build_clinician_summary

    missing: tuple[str, ...] = ()
    try:
        if options.variant == "patient":
            content = build_handout(
                recommendation,
                printed_on=options.printed_on,
                prescriber=options.prescriber,
                language=options.language,
                kb=kb,
            )
            pdf = render_handout(
                content,
                large_print=options.large_print,
                paper=options.paper,
                diary=options.diary,
            )
            names = f"{content.patient_name} {options.prescriber or ''}"
            missing = tuple(unprintable_characters(names))
        else:
            summary = build_clinician_summary(
                recommendation,
                printed_on=options.printed_on,
                prescriber=options.prescriber,
                acknowledgements=dict(options.acknowledgements) or None,
            )
            pdf = render_clinician_summary(summary, paper=options.paper)
    except HandoutError as exc:
        raise PrintError(str(exc)) from None
    except LayoutError:
        raise PrintError(
            "the handout cannot be laid out (a name or note is too long to fit on a page)"
        ) from None
    return PrintRecord(options.variant, bytes(pdf), options.recorded(), unprintable=missing)


def write_prints(
    printed: Sequence[PrintRecord],
    *,
    force: bool,
    record: PrintRecorder[T] | None = None,
    also: Sequence[Output] = (),
) -> T | None:
    """Write each print that has a target (and the `also` files) whole or not at all;
    `record(printed)` runs once they are staged, before they are published. Returns what
    `record` returned."""
    outputs = [Output(p.label, p.target, p.pdf) for p in printed if p.target is not None]
    outputs.extend(also)
    for output in outputs:
        check_target(output.label, output.target, force=force)
    staged = stage(outputs, force=force)
    try:
        recorded = record(printed) if record is not None else None
    except BaseException:
        discard(staged)
        raise
    try:
        publish(staged)
    except OutputError as exc:
        if record is None:
            raise
        raise PublishError(str(exc), recorded) from None
    return recorded


__all__ = [
    "VARIANTS",
    "Output",
    "OutputError",
    "PrintError",
    "PrintOptions",
    "PrintRecord",
    "PrintRecorder",
    "PublishError",
    "render",
    "write_prints",
]
