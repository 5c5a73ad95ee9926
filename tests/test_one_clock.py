"""One clock: no module reads the wall clock except at the edges (issue 14, point 1).

"Today" is an input: the CLI's `main` reads it once (or takes `--today`), the window gets a
clock at start-up (`ui/app.py`, the demo) and passes it down. Records may stamp when an event
happened (an audit time, never a clinical "today"); those sites are listed by name, so a new
one is a reviewed decision, not an accident. Elapsed-time measurements (perf_counter,
monotonic) are not clock reads.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "baclofen_cds"

#: A read of the calendar date or wall-clock time (called or passed as a clock).
WALL_CLOCK = re.compile(
    r"\bdate\.today\b|\bdatetime\.(now|today|utcnow)\b|\butcnow\(\)|\btime\.time\(\)"
    r"|\bQDate\.currentDate\b|\bQDateTime\.current|\bQTime\.currentTime\b"
)

#: The edges, where "today" enters: module -> why.
EDGES = {
    "cli/__init__.py": "CLI main reads today once (or takes --today)",
    "ui/app.py": "window start-up gives the window its clock",
    "ui/demo.py": "the demo's own start-up (a fixed day from the case, else the clock)",
}

#: Audit timestamps (when something was stored, printed or acknowledged) — not a clinical
#: today. The records helper may move these behind one records clock; keep the list short.
AUDIT_TIMES = {
    "records/models.py": "default stored-at time of a row",
    "records/store.py": "saved / acknowledged / printed at",
    "records/migrate.py": "name of the backup taken before a migration",
    "records/validation.py": "upper bound of a birth year",
    "ui/acknowledgements.py": "when the clinician acknowledged an alert",
    "cli/fhir_cmd.py": "when a FHIR export was created",
    "ui/fhir_actions.py": "when a FHIR export was created",
}


def wall_clock_reads() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if WALL_CLOCK.search(code):
                found.setdefault(rel, []).append(f"{rel}:{number}: {line.strip()}")
    return found


def test_no_wall_clock_below_the_edges() -> None:
    allowed = EDGES.keys() | AUDIT_TIMES.keys()
    stray = [hit for rel, hits in wall_clock_reads().items() if rel not in allowed for hit in hits]
    assert stray == [], "wall clock read below the edges (pass today / a clock down):\n" + (
        "\n".join(stray)
    )


def test_logic_and_handout_never_read_the_clock() -> None:
    reads = wall_clock_reads()
    assert [rel for rel in reads if rel.startswith(("logic/", "handout/"))] == []


@pytest.mark.parametrize(
    "line",
    [
        "day = date.today()",
        "MainWindow(today=date.today)",
        "now = datetime.now(UTC)",
        "edit.setDate(QDate.currentDate())",
        "stamp = time.time()",
    ],
)
def test_the_guard_sees_a_clock_read(line: str) -> None:
    assert WALL_CLOCK.search(line)


@pytest.mark.parametrize(
    "line", ["started = time.perf_counter()", "today: date", "date.fromisoformat(args.today)"]
)
def test_the_guard_lets_other_lines_be(line: str) -> None:
    assert not WALL_CLOCK.search(line)
