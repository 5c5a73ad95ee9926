"""Loading the knowledge base with msgspec: the same errors in words, the same content hash,
and PyYAML left unimported when the bundle is current."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclofen_cds.logic import KnowledgeBase, KnowledgeBaseError, load_knowledge_base
from baclofen_cds.logic.knowledge import BUNDLE_NAME, build_bundle, parse_documents
from tests.logic.test_knowledge import PACKAGED, edit, kb_copy  # noqa: F401 - fixture


def _refused(folder: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as err:
        load_knowledge_base(folder)
    message = str(err.value)
    assert "\n" not in message and "`" not in message and "$." not in message, message
    return message


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # a wrong type: the file, the entry (by its id) and the field
        (
            "dosing.yaml",
            "    step_interval_days: 3\n    target_daily_mg: 15\n",
            "    step_interval_days: three\n    target_daily_mg: 15\n",
            "dosing.yaml: rules[6] (id 'dose.adult.hiccups').step_interval_days: "
            "must be a whole number, not text",
        ),
        # a missing field
        (
            "alerts.yaml",
            "  - id: renal.moderate\n    indicator: warning\n",
            "  - id: renal.moderate\n",
            "alerts.yaml: alerts[1] (id 'renal.moderate').indicator: Field required",
        ),
        # an unknown field (a typo)
        (
            "taper.yaml",
            "step_interval_days: 3",
            "step_intervall_days: 3",
            "taper.yaml: taper.step_intervall_days: Extra inputs are not permitted",
        ),
        # a bad grade
        (
            "sources.yaml",
            'grade: "A (via D copy)"',
            'grade: "excellent"',
            "sources.yaml: sources[4] (id 'S5').grade: must match the pattern '^[ABCDU]( |/|$)'",
        ),
        # an entry of a mapping is named by its key
        (
            "kb.yaml",
            '    label: "Persistent or intractable hiccups"\n',
            "",
            "kb.yaml: indications.hiccups.label: Field required",
        ),
        # a number out of bounds, and a choice not among those allowed
        (
            "taper.yaml",
            "step_interval_days: 3",
            "step_interval_days: 0",
            "taper.yaml: taper.step_interval_days: must be at least 1",
        ),
        (
            "dosing.yaml",
            "status: use_with_caution\n    alert: indication.hiccups",
            "status: careful\n    alert: indication.hiccups",
            "dosing.yaml: rules[6] (id 'dose.adult.hiccups').status: 'careful' is not one of "
            "recommended, use_with_caution, avoid, contraindicated",
        ),
        # the short forms: a dose level, a class member
        (
            "dosing.yaml",
            "      - [5, 3]\n      - [10, 3]\n      - [15, 3]\n      - [20, 3]\n    step_interval_days: 3\n    target_daily_mg: 15",
            "      - [5, 3]\n      - [10]\n      - [15, 3]\n      - [20, 3]\n    step_interval_days: 3\n    target_daily_mg: 15",
            "dosing.yaml: rules[6] (id 'dose.adult.hiccups').ladder[1]: "
            "a dose level is [mg per dose, times a day]",
        ),
        (
            "interactions.yaml",
            "tramadol: {brands: [Ultram",
            "tramadol: {brand: [Ultram",
            "interactions.yaml: classes[0] (id 'interaction.opioids').members: "
            "'tramadol'.brand: Extra inputs are not permitted",
        ),
    ],
)
def test_errors_name_the_file_the_entry_and_the_field(
    kb_copy: Path,  # noqa: F811
    file: str,
    old: str,
    new: str,
    message: str,
) -> None:
    edit(kb_copy, file, old, new)
    assert _refused(kb_copy) == message


def test_a_check_within_an_entry_names_the_entry(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "formulations.yaml", "    concentration_mg_per_ml: 1\n", "")
    assert _refused(kb_copy) == (
        "formulations.yaml: formulations[1] (id 'oral_solution_1_mg_per_ml'): "
        "a liquid needs concentration_mg_per_ml"
    )


# ------------------------------------------------------------------ the content hash
def _old_hash(folder: Path) -> str:
    """The content hash as the pydantic-era loader computed it: every YAML file parsed (its
    strict loader, unchanged), the whole through canonical JSON and back, then sha256 of its
    canonical JSON."""

    def canonical(value: Any) -> str:
        return json.dumps(
            value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
        )

    docs = parse_documents({p.name: p.read_bytes() for p in folder.glob("*.yaml")})
    return hashlib.sha256(canonical(json.loads(canonical(docs))).encode("utf-8")).hexdigest()


def test_the_content_hash_is_the_one_stamped_before(kb: KnowledgeBase, kb_copy: Path) -> None:  # noqa: F811
    """Stored records carry the hash: today's knowledge base keeps the value it had."""
    assert kb.sha256 == _old_hash(PACKAGED)
    (kb_copy / BUNDLE_NAME).unlink()
    assert load_knowledge_base(kb_copy).sha256 == kb.sha256  # from the YAML too


def test_the_bundle_is_rebuilt_byte_for_byte(kb_copy: Path) -> None:  # noqa: F811
    (kb_copy / BUNDLE_NAME).unlink()
    build_bundle(kb_copy)
    assert (kb_copy / BUNDLE_NAME).read_bytes() == (PACKAGED / BUNDLE_NAME).read_bytes()


_NOT_YAML = ["Cs", "Cc", "Cn", "Zl", "Zp"]  # characters YAML does not carry as they are
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=_NOT_YAML), max_size=8)
)
_JSONISH = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(st.characters(exclude_categories=_NOT_YAML), max_size=6), inner, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(extra=st.dictionaries(st.text("abcxyz", min_size=1, max_size=5), _JSONISH, min_size=1))
def test_bundle_and_yaml_hash_any_content_as_before(kb_copy: Path, extra: dict[str, Any]) -> None:  # noqa: F811
    """Whatever an extra file holds (text in any script, floats with exponents, nesting): the
    YAML path, the bundle path and the old recipe give one hash."""
    (kb_copy / "extra.yaml").write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")
    (kb_copy / BUNDLE_NAME).unlink(missing_ok=True)
    from_yaml = load_knowledge_base(kb_copy)
    build_bundle(kb_copy)
    from_bundle = load_knowledge_base(kb_copy)
    assert from_yaml.sha256 == from_bundle.sha256 == _old_hash(kb_copy)
    assert from_bundle.extra_document("extra") == from_yaml.extra_document("extra")


def test_extra_documents_are_fresh_copies(kb: KnowledgeBase) -> None:
    first = kb.extra_document("countries")
    first["countries"].clear()
    assert kb.extra_document("countries")["countries"]


# ------------------------------------------------------------------ PyYAML only when needed
_PROBE = """
import sys, traceback
importer = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "yaml" and not importer:
            importer.append("".join(traceback.format_stack(limit=12)))
        return None

sys.meta_path.insert(0, Spy())
from baclofen_cds.logic.knowledge import load_knowledge_base
from pathlib import Path
kb = load_knowledge_base(Path({folder!r}))
print("yaml" in sys.modules, "baclofen_cds.logic.knowledge.yaml_reader" in sys.modules)
print(importer[0] if importer else "")
"""


def _probe(folder: Path) -> tuple[bool, bool, str]:
    """(PyYAML imported, the YAML reader imported, where PyYAML was first imported from)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(folder=str(folder))],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    first, _, stack = out.stdout.partition("\n")
    yaml_loaded, reader_loaded = (word == "True" for word in first.split())
    return yaml_loaded, reader_loaded, stack


def test_yaml_is_not_imported_when_the_bundle_is_current(kb_copy: Path) -> None:  # noqa: F811
    loaded, reader, stack = _probe(kb_copy)
    assert not reader
    assert not loaded, stack


def test_yaml_is_imported_when_the_bundle_is_stale(kb_copy: Path) -> None:  # noqa: F811
    edit(kb_copy, "kb.yaml", 'version: "2026.11.1"', 'version: "2026.11.1-local"')
    loaded, reader, _ = _probe(kb_copy)
    assert loaded and reader


# ------------------------------------------------------------------ the other knowledge files
def _handout_error(kb: KnowledgeBase, change: Any) -> str:
    from baclofen_cds.logic.handout_text import HandoutTextError, parse_handout_text

    data = kb.extra_document("handout_text")
    change(data)
    with pytest.raises(HandoutTextError) as err:
        parse_handout_text(data)
    return str(err.value)


def test_handout_text_errors_name_the_field(kb: KnowledgeBase) -> None:
    def wrong_type(d: dict[str, Any]) -> None:
        d["diary"]["notes_lines"] = "five"

    def unknown(d: dict[str, Any]) -> None:
        d["key_facts"]["heading2"] = "x"

    def missing(d: dict[str, Any]) -> None:
        del d["labels"]["prescriber"]

    def times(d: dict[str, Any]) -> None:
        d["ums"]["times_by_doses_per_day"]["2"] = ["morning"]

    def schema(d: dict[str, Any]) -> None:
        d["schema"] = "handout_text/1"

    assert _handout_error(kb, wrong_type) == (
        "handout_text.yaml: diary.notes_lines: must be a whole number, not text"
    )
    assert _handout_error(kb, unknown) == (
        "handout_text.yaml: key_facts.heading2: Extra inputs are not permitted"
    )
    assert _handout_error(kb, missing) == "handout_text.yaml: labels.prescriber: Field required"
    assert _handout_error(kb, times) == (
        "handout_text.yaml: ums: times_by_doses_per_day: 2 doses a day must list 2 times, not 1"
    )
    assert _handout_error(kb, schema) == (
        "handout_text.yaml: document: schema must be 'handout_text/2'"
    )


def test_country_and_reason_errors_name_the_field(kb: KnowledgeBase) -> None:
    from baclofen_cds.logic.acknowledgement import _ReasonsFile
    from baclofen_cds.logic.handout_countries import parse_countries
    from baclofen_cds.logic.handout_text import HandoutTextError
    from baclofen_cds.logic.knowledge.validation import convert, explain

    countries = kb.extra_document("countries")
    countries["countries"]["GB"]["emergency_number"] = ""
    with pytest.raises(HandoutTextError) as err:
        parse_countries(countries)
    assert str(err.value) == "countries.yaml: countries.GB.emergency_number: must not be empty"

    reasons = kb.extra_document("acknowledgement_reasons")
    reasons["reasons"][1]["comment_required"] = "yes"
    with pytest.raises(msgspec.ValidationError) as exc:
        convert(reasons, _ReasonsFile)
    assert explain(exc.value, _ReasonsFile, reasons) == (
        ("reasons", 1, "comment_required"),
        "must be true or false, not text",
    )
