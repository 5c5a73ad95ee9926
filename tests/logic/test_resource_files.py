"""One loader finds the resources folder (knowledge base, handout texts, fonts).

The folder is `resources/` at the top of the repository; the wheel maps it to
`baclofen_cds/resources/` (pyproject). The installed wheel itself is proven by CI
(`.ci/run`, "wheel installed outside the checkout"); here: the checkout and an editable
install (which `make test` uses), the order of the two places, and the error.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from baclofen_cds.logic import load_knowledge_base, resource_files
from baclofen_cds.logic.resource_files import ResourcesNotFoundError, resource_path, resource_root

ROOT = Path(__file__).resolve().parents[2]


def _folder(path: Path) -> Path:
    (path / "knowledge").mkdir(parents=True)
    return path


def test_checkout_folder_is_found() -> None:
    # the suite runs on the checkout's code (editable install): no copy inside the package
    assert not (ROOT / "baclofen_cds" / "resources").exists()
    assert resource_root() == ROOT / "resources"
    assert resource_path("knowledge") == ROOT / "resources" / "knowledge"
    assert resource_path("knowledge", "dosing.yaml").is_file()
    assert resource_path("knowledge", "knowledge.bundle.json").is_file()
    assert resource_path("fonts", "DejaVuSans.ttf").is_file()


def test_default_knowledge_base_is_the_checkout_one() -> None:
    default = load_knowledge_base()
    explicit = load_knowledge_base(ROOT / "resources" / "knowledge")
    assert default.sha256 == explicit.sha256


def test_installed_copy_comes_before_the_checkout(tmp_path: Path) -> None:
    installed = _folder(tmp_path / "site" / "baclofen_cds" / "resources")
    checkout = _folder(tmp_path / "checkout" / "resources")
    assert resource_root((installed, checkout)) == installed
    assert resource_root((tmp_path / "absent", checkout)) == checkout


def test_stray_resources_folder_without_knowledge_is_passed_over(tmp_path: Path) -> None:
    stray = tmp_path / "site-packages" / "resources"  # another distribution's folder
    stray.mkdir(parents=True)
    checkout = _folder(tmp_path / "checkout" / "resources")
    assert resource_root((stray, checkout)) == checkout


def test_neither_place_raises_one_error_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "site" / "baclofen_cds" / "resources"
    checkout = tmp_path / "checkout" / "resources"
    monkeypatch.setattr(resource_files, "INSTALLED", installed)
    monkeypatch.setattr(resource_files, "CHECKOUT", checkout)
    with pytest.raises(ResourcesNotFoundError) as caught:
        resource_path("fonts", "DejaVuSans.ttf")
    message = str(caught.value)
    assert str(installed) in message
    assert str(checkout) in message
    assert "\n" not in message
    assert isinstance(caught.value, FileNotFoundError)


def test_wheel_mapping_is_where_the_loader_looks_first() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hatch = config["tool"]["hatch"]["build"]["targets"]
    mapped = hatch["wheel"]["force-include"]
    assert mapped == {"resources": "baclofen_cds/resources"}
    assert "resources" in hatch["sdist"]["include"]
    package = Path(resource_files.__file__).resolve().parents[1]
    assert package / Path(mapped["resources"]).relative_to("baclofen_cds") == (
        resource_files.INSTALLED
    )
    assert resource_files.CHECKOUT == ROOT / "resources"


def test_no_other_module_looks_for_the_folder_itself() -> None:
    """Every lookup goes through resource_path: a second way to find the files would work in
    a checkout and break in the wheel (or the reverse)."""
    lookup = re.compile(r"""["']resources["']|files\(\s*["']baclofen_cds["']\s*\)""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "baclofen_cds").rglob("*.py"))
        if path.name != "resource_files.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if lookup.search(line)
    ]
    assert offenders == []


def test_handout_languages_are_the_text_files_present(tmp_path: Path) -> None:
    from baclofen_cds.logic.case import CHOICES
    from baclofen_cds.logic.handout_text import LANGUAGES
    from baclofen_cds.logic.policy import HANDOUT_LANGUAGES
    from baclofen_cds.logic.resource_files import handout_languages

    # the shipped folder: one list for the case, the policy and the text, English first
    assert handout_languages() == LANGUAGES == HANDOUT_LANGUAGES == CHOICES["handout_language"]
    assert LANGUAGES[0] == "en" and "es" in LANGUAGES
    # a new file is a new language; other files and names are not languages
    for name in ("handout_text.yaml", "handout_text.fr.yaml", "handout_text.de.yaml", "kb.yaml"):
        (tmp_path / name).write_text("", encoding="utf-8")
    (tmp_path / "handout_text.fr.yaml.orig").write_text("", encoding="utf-8")
    (tmp_path / "handout_text.en.yaml").write_text("", encoding="utf-8")
    assert handout_languages(tmp_path) == ("en", "de", "fr")
    assert handout_languages(tmp_path / "missing") == ("en",)
