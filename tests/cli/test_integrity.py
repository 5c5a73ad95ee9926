"""Issue 11 regression tests: every case of the fault probe, through the command line.

Each test is one bullet of "What was seen": hostile input is refused with exit 2 and one line
naming the field, nothing is written on a refused or failed save, files are private and never
clobbered, critical alerts need an acknowledgement, and nothing reaches the terminal raw.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.test_cli import EXAMPLE, cli

TODAY = ("--today", "2026-11-22")
# every handout printed here names a clinic to call (issue 12); the subprocesses inherit it
POLICY = str(Path(__file__).resolve().parents[2] / "examples" / "policy" / "riverside-gb.yaml")


@pytest.fixture(autouse=True)
def _clinic_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACLOFEN_CDS_POLICY", POLICY)


ACK = ("--acknowledge-all", "benefit_outweighs_risk")
BASE = '"indication": "spasticity", "sex": "female"'


def one_line(out: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    assert out.returncode == code, out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def example(**changes: Any) -> str:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return json.dumps(data)


def history(db: str, patient: str = "MRN-001") -> list[Any]:
    out = cli("history", "--patient-id", patient, "--format", "json", "--database-url", db)
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["assessments"])


# ---------------------------------------------------------------- hostile input (point 1)
@pytest.mark.parametrize(
    ("text", "words"),
    [
        (f'{{{BASE}, "age_years": true}}', ["age_years", "not true or false"]),
        (f'{{{BASE}, "age_years": 45, "age_years": 4}}', ["age_years", "more than once"]),
        (f'{{{BASE}, "age_years": NaN}}', ["NaN"]),
        (f'{{{BASE}, "age_years": 1e999}}', ["finite"]),
        (f'{{{BASE}, "age_years": {"9" * 4400}}}', ["number"]),
        ("[" * 5000 + "]" * 5000, ["nested too deeply"]),
        (f'{{{BASE}, "age_years": 45, "start_date": "9999-12-31"}}', ["start_date"]),
        (f'{{{BASE}, "age_years": 45, "comedications": ["{"x" * 300}"]}}', ["comedications"]),
        (
            f'{{{BASE}, "age_years": 45, "serum_creatinine": {{"value": true, "unit": "mg/dL"}}}}',
            ["serum_creatinine.value"],
        ),
        (f'{{{BASE}, "age_years": 45, "patient": {"{" + chr(34) + "a" + chr(34) + ":" * 1}', []),
    ],
    ids=[
        "bool-age",
        "duplicate-key",
        "nan",
        "infinity",
        "4400-digits",
        "5000-deep",
        "year-9999",
        "long-medicine",
        "bool-creatinine",
        "truncated",
    ],
)
def test_hostile_case_is_refused_in_one_line(text: str, words: list[str]) -> None:
    out = cli("recommend", "--input", "-", *TODAY, stdin=text)
    one_line(out, 2, *words)
    assert out.stdout == ""


def test_a_huge_input_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A 100 MB medicine used 4.5 GB and was saved as a 525 MB record."""
    big = tmp_path / "big.json"
    big.write_text(example(comedications=["x" * 5_000_000]), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    out = cli("recommend", "--input", str(big), "--save", "--clinician", "Dr A", *ACK,
              "--database-url", db)  # fmt: skip
    one_line(out, 2, "larger than")
    assert not (tmp_path / "r.sqlite3").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=20,
    ),
    st.sampled_from(
        ["age_years", "weight_kg", "patient", "comedications", "serum_creatinine", "start_date"]
    ),
)
def test_any_value_in_any_field_is_accepted_or_refused_cleanly(value: Any, field: str) -> None:
    """Safety property: whatever JSON arrives, the engine answers or names a field."""
    from datetime import date

    from baclofen_cds.logic import CaseInputError, load_knowledge_base, parse_case, recommend
    from baclofen_cds.logic.case import loads_case

    kb = load_knowledge_base()
    data: dict[str, Any] = {"indication": "spasticity", "sex": "female", "age_years": 45}
    data[field] = value
    try:
        text = json.dumps(data, allow_nan=True)
    except ValueError:
        return
    try:
        case = parse_case(loads_case(text), kb, today=date(2026, 11, 22))
    except CaseInputError as exc:
        refused = exc
    else:
        assert not isinstance(case.age_years, bool)
        recommend(case, kb)
        return
    assert refused.field and refused.message


@pytest.mark.parametrize("option", ["--prescriber", "--clinician"])
def test_a_2000_character_name_is_refused(tmp_path: Path, option: str) -> None:
    out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--handout",
              str(tmp_path / "h.pdf"), option, "Dr " * 700)  # fmt: skip
    one_line(out, 2, option)
    assert list(tmp_path.iterdir()) == []


def test_a_long_file_name_is_one_line(tmp_path: Path) -> None:
    for name in ("a" * 250 + ".pdf", "b" * 300 + ".pdf"):
        out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK,
                  "--handout", str(tmp_path / name))  # fmt: skip
        if out.returncode == 0:
            assert (tmp_path / name).is_file()  # 254 bytes: a legal name
        else:
            one_line(out, 2, "--handout")
    assert not list(tmp_path.glob(".bcds-*"))


@pytest.mark.parametrize("number", [str(2**63), "99999999999999999999", "0", "-1", "1e3"])
def test_assessment_numbers_beyond_64_bits_are_refused(tmp_path: Path, number: str) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    for command in (("show", number), ("reprint", number, "--handout", str(tmp_path / "x.pdf"))):
        out = cli(*command, "--database-url", db)
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
        assert "assessment number" in out.stderr


def test_closed_standard_output_is_one_line() -> None:
    out = subprocess.run(
        ["sh", "-c", f'exec "{sys.executable}" -m baclofen_cds recommend --input "{EXAMPLE}" >&-'],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    one_line(out, 5, "standard output")


def test_full_standard_output_after_a_save_says_saved(tmp_path: Path) -> None:
    """`recommend --save >/dev/full` saved, then died with a traceback."""
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    with open("/dev/full", "w", encoding="utf-8") as full:
        out = subprocess.run(
            [sys.executable, "-m", "baclofen_cds", "recommend", "--input", str(EXAMPLE), *TODAY,
             *ACK, "--save", "--clinician", "Dr A", "--database-url", db],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert out.returncode == 5 and "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2 and "saved as assessment 1" in lines[0] and "No space" in lines[1]
    assert len(history(db)) == 1


# ---------------------------------------------------------------- writing (point 3)
def test_two_outputs_naming_one_file_are_refused(tmp_path: Path) -> None:
    """`--handout d/s.pdf --clinician-summary d/x/../s.pdf`: exit 0, the summary overwrote
    the handout, and --save recorded both prints."""
    (tmp_path / "x").mkdir()
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--save", "--clinician",
              "Dr A", "--database-url", db, "--handout", str(tmp_path / "s.pdf"),
              "--clinician-summary", str(tmp_path / "x" / ".." / "s.pdf"))  # fmt: skip
    one_line(out, 2, "same file")
    assert not (tmp_path / "s.pdf").exists()
    assert not (tmp_path / "r.sqlite3").exists()


def test_a_link_to_the_other_output_is_the_same_file(tmp_path: Path) -> None:
    (tmp_path / "s.pdf").write_bytes(b"old")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "s.pdf")
    out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--force",
              "--handout", str(tmp_path / "s.pdf"),
              "--clinician-summary", str(tmp_path / "link.pdf"))  # fmt: skip
    assert out.returncode == 2
    assert (tmp_path / "s.pdf").read_bytes() == b"old"


def test_no_handout_when_the_save_is_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    first = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--save", "--clinician",
                "Dr A", "--database-url", db)  # fmt: skip
    assert first.returncode == 0, first.stderr
    other = tmp_path / "case.json"
    other.write_text(example(patient={"id": "MRN-001", "name": "Someone Else"}), encoding="utf-8")
    out = cli("recommend", "--input", str(other), *TODAY, *ACK, "--save", "--clinician", "Dr A",
              "--database-url", db, "--handout", str(tmp_path / "h.pdf"))  # fmt: skip
    one_line(out, 2, "not saved")
    assert not (tmp_path / "h.pdf").exists()
    assert not list(tmp_path.glob(".bcds-*"))


def test_no_handout_when_the_save_fails(tmp_path: Path) -> None:
    damaged = tmp_path / "r.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--save", "--clinician", "Dr A",
              "--database-url", f"sqlite:///{damaged}", "--handout", str(tmp_path / "h.pdf"))  # fmt: skip
    one_line(out, 3, "not saved")
    assert not (tmp_path / "h.pdf").exists()
    assert not list(tmp_path.glob(".bcds-*"))


def test_handouts_are_private_and_never_clobbered(tmp_path: Path) -> None:
    target = tmp_path / "h.pdf"
    base = ("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--handout", str(target))
    assert cli(*base).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = target.read_bytes()
    target.write_bytes(b"the clinic's own file")
    one_line(cli(*base), 2, "already exists", "--force")
    assert target.read_bytes() == b"the clinic's own file"
    assert cli(*base, "--force").returncode == 0
    assert target.read_bytes() == first and stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("kind", ["symlink", "fifo", "device", "folder"])
def test_a_non_regular_target_is_never_replaced(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "h.pdf"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    if kind == "symlink":
        target.symlink_to(victim)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target = Path("/dev/null")
    else:
        target.mkdir()
    out = cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--force",
              "--handout", str(target))  # fmt: skip
    one_line(out, 2, "--handout")
    assert victim.read_text(encoding="utf-8") == "keep me"
    if kind == "symlink":
        assert target.is_symlink()


def test_the_case_file_is_never_overwritten(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text(example(), encoding="utf-8")
    out = cli("recommend", "--input", str(case), *TODAY, *ACK, "--force", "--handout", str(case))
    one_line(out, 2, "--input")
    assert json.loads(case.read_text(encoding="utf-8"))["patient"]["id"] == "MRN-001"


def test_a_retry_with_the_same_uid_saves_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    uid = "0b6f3a52-3d1f-4c44-9d0e-8c1c3a1b2e55"
    args = ("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--save", "--clinician", "Dr A",
            "--uid", uid, "--database-url", db)  # fmt: skip
    first, again = cli(*args), cli(*args)
    assert first.returncode == 0 and again.returncode == 0, again.stderr
    assert "saved as assessment 1" in first.stderr and "saved as assessment 1" in again.stderr
    assert len(history(db)) == 1
    other = tmp_path / "other.json"
    other.write_text(example(age_years=70), encoding="utf-8")
    out = cli("recommend", "--input", str(other), *TODAY, *ACK, "--save", "--clinician", "Dr A",
              "--uid", uid, "--database-url", db)  # fmt: skip
    one_line(out, 2, "uid", "different assessment")
    bad = cli(*args[:-4], "--uid", "not-a-uuid", "--database-url", db)
    one_line(bad, 2, "--uid")


# ---------------------------------------------------------------- acknowledgement (point 2)
def two_critical(tmp_path: Path) -> str:
    """The example with an active peptic ulcer: two critical alerts (ulcer, sedation)."""
    path = tmp_path.parent / f"{tmp_path.name}-two-critical.json"
    path.write_text(example(conditions=["epilepsy", "peptic_ulcer_active"]), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("option", ["--handout", "--clinician-summary", "--save"])
def test_critical_alerts_must_be_acknowledged(tmp_path: Path, option: str) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    target = () if option == "--save" else (str(tmp_path / "out.pdf"),)
    out = cli("recommend", "--input", two_critical(tmp_path), *TODAY, option, *target, "--clinician",
              "Dr A", "--database-url", db, acknowledge=False)  # fmt: skip
    line = one_line(out, 2, "not acknowledged", "hazard.cns_depression")
    assert "condition.peptic_ulcer_active" in line
    assert list(tmp_path.iterdir()) == []


def test_without_writing_no_acknowledgement_is_needed(tmp_path: Path) -> None:
    out = cli("recommend", "--input", two_critical(tmp_path), *TODAY, acknowledge=False)
    assert out.returncode == 0 and json.loads(out.stdout)["alerts"]


def test_one_acknowledgement_is_not_enough_for_two_critical_alerts(tmp_path: Path) -> None:
    out = cli("recommend", "--input", two_critical(tmp_path), *TODAY, "--handout", str(tmp_path / "h.pdf"),
              "--acknowledge", "hazard.cns_depression=benefit_outweighs_risk", acknowledge=False)  # fmt: skip
    one_line(out, 2, "condition.peptic_ulcer_active")
    assert "hazard.cns_depression" not in out.stderr


@pytest.mark.parametrize(
    ("given", "words"),
    [
        (("--acknowledge", "hazard.cns_depression=because"), ["not a known reason"]),
        (("--acknowledge", "no.such.alert=benefit_outweighs_risk"), ["not an alert"]),
        (("--acknowledge", "hazard.cns_depression"), ["ALERT_ID=REASON_CODE"]),
        (("--acknowledge", "hazard.cns_depression=does_not_apply"), ["needs a comment"]),
        (("--acknowledge-all", "whatever"), ["--acknowledge-all", "not a known reason"]),
    ],
)
def test_bad_acknowledgements_are_refused(
    tmp_path: Path, given: tuple[str, ...], words: list[str]
) -> None:
    out = cli("recommend", "--input", two_critical(tmp_path), *TODAY, *given,
              "--handout", str(tmp_path / "h.pdf"), acknowledge=False)  # fmt: skip
    one_line(out, 2, *words)
    assert list(tmp_path.iterdir()) == []


def test_acknowledgements_are_stored_with_the_assessment(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    out = cli("recommend", "--input", two_critical(tmp_path), *TODAY, "--save", "--clinician", "Dr A",
              "--database-url", db, "--clinician-summary", str(tmp_path / "s.pdf"),
              "--acknowledge", "hazard.cns_depression=does_not_apply:stopped last week",
              "--acknowledge-all", "specialist_advice", acknowledge=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    shown = json.loads(cli("show", "1", "--format", "json", "--database-url", db).stdout)
    acks = {a["alert_id"]: a for a in shown["acknowledgements"]}
    assert acks["hazard.cns_depression"]["reason_code"] == "does_not_apply"
    assert acks["hazard.cns_depression"]["comment"] == "stopped last week"
    assert acks["condition.peptic_ulcer_active"]["reason_code"] == "specialist_advice"
    assert all(a["outcome"] == "overridden" for a in acks.values())
    import getpass

    # Beside the typed clinician, the login that wrote it (SQLite: the operating-system user).
    assert shown["clinician"] == "Dr A" and shown["database_user"] == getpass.getuser()
    assert shown["uid"]
    printed = shown["prints"][0]["options"]["acknowledgements"]
    assert printed["hazard.cns_depression"].endswith(": stopped last week")
    from tests.handout.support import pdf_text

    assert "stopped last week" in pdf_text((tmp_path / "s.pdf").read_bytes())


def test_reason_codes_are_shared_by_window_and_command_line() -> None:
    from baclofen_cds.logic import load_knowledge_base
    from baclofen_cds.logic.acknowledgement import acknowledgement_reasons
    from baclofen_cds.ui import acknowledgements as window

    codes = [r.code for r in acknowledgement_reasons(load_knowledge_base())]
    assert [code for code, _ in window.REASONS] == codes
    assert sorted(window.COMMENT_REQUIRED) == ["does_not_apply"]


# ---------------------------------------------------------------- terminals (point 5)
def test_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "Jane \x1b]0;owned\x07\x1b[2J\x9b31m Doe\u202e"
    case = tmp_path / "case.json"
    case.write_text(example(patient={"id": "MRN-001", "name": name}), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    outs = [
        cli("recommend", "--input", str(case), *TODAY, "--format", "text"),
        cli("recommend", "--input", str(case), *TODAY),
        cli("recommend", "--input", str(case), *TODAY, *ACK, "--save", "--clinician",
            "Dr \x1b[5mA", "--database-url", db),
        cli("history", "--patient-id", "MRN-001", "--database-url", db),
        cli("history", "--patient-id", "MRN-\x1b[31m1", "--database-url", db),
        cli("show", "1", "--database-url", db),
        cli("show", "1", "--format", "json", "--database-url", db),
    ]  # fmt: skip
    for out in outs:
        for stream in (out.stdout, out.stderr):
            assert not any(ch in stream for ch in "\x1b\x07\x9b\u202e"), stream
    assert json.loads(outs[1].stdout)["case"]["patient"]["name"] == name  # data unchanged
    assert outs[2].returncode == 0 and outs[3].returncode == 0
    assert json.loads(outs[6].stdout)["patient"]["name"] == name
    assert "\\u001b" in outs[0].stdout


def test_a_password_in_the_url_is_never_printed(tmp_path: Path) -> None:
    url = "postgresql://bob:Pw1secret@127.0.0.1:9/db?password=Pw2secret&sslpassword=Pw3secret"
    outs = [
        cli("history", "--patient-id", "X", "--database-url", url),
        cli("recommend", "--input", str(EXAMPLE), *TODAY, *ACK, "--save", "--clinician", "Dr A",
            "--database-url", url),
    ]  # fmt: skip
    for out in outs:
        assert out.returncode == 3, out.stderr
        assert "secret" not in out.stdout + out.stderr
        assert "***" in out.stderr


def test_publishing_without_hard_links_still_never_replaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without hard links the rename is checked instead."""
    import errno

    from baclofen_cds.handout import output

    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(output.os, "link", no_links)
    target = tmp_path / "h.pdf"
    output.write([output.Output("--handout", target, b"%PDF-1 new")], force=False)
    assert target.read_bytes() == b"%PDF-1 new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    staged = output.stage([output.Output("--handout", target, b"%PDF-1 other")], force=False)
    with pytest.raises(output.OutputError, match="already exists"):
        output.publish(staged)
    assert target.read_bytes() == b"%PDF-1 new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.pdf"]
