"""Where the shipped data files are: the knowledge base, the handout texts and the fonts.

In the repository they live in the top-level `resources/` folder, where a clinical reviewer
finds the rules; the wheel carries the same folder as `baclofen_cds/resources/` (pyproject's
`[tool.hatch.build.targets.wheel.force-include]`). `resource_path` finds it in an installed
wheel, an editable install and a checkout alike: inside the package first, then beside it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

#: The package folder (`baclofen_cds/`), wherever it was imported from.
_PACKAGE = Path(__file__).resolve().parent.parent

#: Where an installed wheel has the folder (its mapping of `resources/`).
INSTALLED = _PACKAGE / "resources"
#: Where a checkout (and an editable install, which imports the checkout's code) has it.
CHECKOUT = _PACKAGE.parent / "resources"

#: A subfolder every real resources folder has: a stray `resources/` beside an installed
#: package (another distribution's) is not taken for this one.
_MARKER = "knowledge"


class ResourcesNotFoundError(FileNotFoundError):
    """Neither the installed package nor the checkout has the resources folder."""


def resource_root(candidates: tuple[Path, ...] | None = None) -> Path:
    """The resources folder: the first of `candidates` (the installed package's, then the
    checkout's) that holds a `knowledge/` folder."""
    if candidates is None:
        candidates = (INSTALLED, CHECKOUT)
    for folder in candidates:
        if (folder / _MARKER).is_dir():
            return folder
    places = " nor ".join(str(folder) for folder in candidates)
    raise ResourcesNotFoundError(
        f"the resources folder (knowledge base, handout texts, fonts) is in neither {places}; "
        "reinstall the package, or run from a checkout that has resources/"
    )


def resource_path(*parts: str) -> Path:
    """A file or folder under the resources folder, e.g. `resource_path("fonts", name)`.

    Raises ResourcesNotFoundError (naming both places looked in) when there is no folder;
    the path returned may not exist (the caller reads it and reports what is missing)."""
    return resource_root().joinpath(*parts)


#: A handout text file of a language other than English: `handout_text.<code>.yaml`.
_HANDOUT_TEXT_FILE = re.compile(r"^handout_text\.([a-z]{2,3})\.yaml$")


@functools.cache
def handout_languages(folder: Path | None = None) -> tuple[str, ...]:
    """The languages a handout can be printed in: "en" (`handout_text.yaml`, the reference)
    first, then one per `handout_text.<code>.yaml` in the knowledge folder, sorted.

    The files present are the one list: the case's `handout_language`, the policy's
    `languages_enabled`, the handout text loader and the window's menu all take it from here,
    so a new language is a new file (and its tests), no Python."""
    where = folder if folder is not None else resource_path("knowledge")
    try:
        names = [p.name for p in where.iterdir()]
    except OSError:
        return ("en",)
    codes = sorted({m.group(1) for n in names if (m := _HANDOUT_TEXT_FILE.match(n))} - {"en"})
    return ("en", *codes)
