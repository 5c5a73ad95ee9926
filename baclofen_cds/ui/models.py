"""Qt table models over the engine's frozen data. They format; they never compute.

Each model is a thin adapter: a tuple of frozen rows (TitrationStep, TaperStep,
MonitoringItem, BasisEntry, …) and a column list saying how each cell reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

_Index = QModelIndex | QPersistentModelIndex
ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the frozen row object itself


class Column(NamedTuple):
    header: str
    text: Callable[[Any], str]
    tooltip: str = ""
    numeric: bool = False


class FrozenRowsModel(QAbstractTableModel):
    """A read-only table over a tuple of frozen rows."""

    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: tuple[Any, ...] = ()
        #: columns whose header is shown on two lines (set by a narrow view)
        self._wrapped: frozenset[int] = frozenset()

    def set_wrapped_headers(self, columns: frozenset[int]) -> None:
        """Show these columns' headers on two lines (a narrow table); the others on one."""
        if columns != self._wrapped:
            self._wrapped = columns
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)

    def wrapped_headers(self) -> frozenset[int]:
        return self._wrapped

    def set_rows(self, rows: Sequence[Any]) -> None:
        if tuple(rows) == self._rows:  # frozen rows: equal means nothing to redraw
            return
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rows(self) -> tuple[Any, ...]:
        return self._rows

    def width_key(self) -> tuple[int, ...]:
        """The longest text of each column: the view refits its columns only when this changes."""
        return tuple(max((len(c.text(r)) for r in self._rows), default=0) for c in self.COLUMNS)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self.COLUMNS)):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return column.text(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ROW_ROLE:
            return row
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.COLUMNS):
                header = self.COLUMNS[section].header
                return two_lines(header) if section in self._wrapped else header
            return None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def as_text(self) -> list[list[str]]:
        """Header and cells as plain text (for the clinician note and for tests)."""
        out = [[c.header for c in self.COLUMNS]]
        out.extend([c.text(r) for c in self.COLUMNS] for r in self._rows)
        return out


def two_lines(text: str) -> str:
    """A header broken at the space nearest its middle ("Amount\neach time")."""
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    if not spaces:
        return text
    cut = min(spaces, key=lambda i: abs(len(text) - 2 * i))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


# The logic package (msgspec, YAML) loads after the first paint: imported on first use.
def mg(value: float) -> str:
    """The engine's ISMP dose notation ("5 mg", "2.5 mg", "0.5 mg", "1,000 mg")."""
    from baclofen_cds.logic import format_mg

    return format_mg(value)


def times_a_day(times: int) -> str:
    """The engine's plain words ("three times a day"), never TID."""
    from baclofen_cds.logic import times_a_day as words

    return words(times)


def day_date(value: date | None) -> str:
    """ISO date with the day name: a schedule cannot be misread across locales."""
    if value is None:
        return "until review"
    return f"{value:%a} {value.isoformat()}"


def plain(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _amount(row: Any) -> str:
    return str(row.amount)


def _days(row: Any) -> str:
    if row.to_day is None:
        return f"day {row.from_day} on"
    if row.to_day == row.from_day:
        return f"day {row.from_day}"
    return f"days {row.from_day}–{row.to_day}"


class TitrationTableModel(FrozenRowsModel):
    """The dated titration steps of `Regimen.steps`."""

    COLUMNS = (
        Column("From", lambda s: day_date(s.from_date)),
        Column("To", lambda s: day_date(s.to_date)),
        Column("Days", _days),
        Column("Dose", lambda s: mg(s.dose_mg), numeric=True),
        Column("Times a day", lambda s: times_a_day(s.times_per_day)),
        Column("Amount each time", _amount),
        Column("Daily total", lambda s: mg(s.daily_mg), numeric=True),
    )


class TaperTableModel(FrozenRowsModel):
    """The taper plan (`Recommendation.taper`), counted in days from the first lower dose."""

    COLUMNS = (
        Column("Days", _days),
        Column("Dose", lambda s: mg(s.dose_mg), numeric=True),
        Column("Times a day", lambda s: times_a_day(s.times_per_day)),
        Column("Amount each time", _amount),
        Column("Daily total", lambda s: mg(s.daily_mg), numeric=True),
    )


def _due(item: Any) -> str:
    return day_date(item.due_date) if item.due_date is not None else "—"


def _monitoring_basis(item: Any) -> str:
    src = ", ".join(item.sources)
    return f"local policy; {src}" if item.local_policy else src


class MonitoringTableModel(FrozenRowsModel):
    COLUMNS = (
        Column("What", lambda m: str(m.what)),
        Column("When", lambda m: str(m.when)),
        Column("Due", _due),
        Column(
            "Basis",
            _monitoring_basis,
            "Source ids; 'local policy' marks an interval set by the clinic, not by a label.",
        ),
    )


def _flags(entry: Any) -> str:
    marks = []
    if entry.derived:
        marks.append("DERIVED")
    if entry.unverified:
        marks.append("UNVERIFIED")
    if entry.local_policy:
        marks.append("local policy")
    return ", ".join(marks)


class BasisTableModel(FrozenRowsModel):
    """Every output and the rule, inputs and sources it came from (FDA CDS criterion 4)."""

    COLUMNS = (
        Column("Output", lambda b: str(b.output)),
        Column("Rule", lambda b: str(b.rule)),
        Column("Inputs", lambda b: "; ".join(f"{k} = {plain(v)}" for k, v in b.inputs)),
        Column("Sources", lambda b: ", ".join(b.sources)),
        Column("Marks", _flags),
    )


def local_time(moment: Any) -> str:
    """A stored time (UTC; naive means UTC) in the computer's local time zone."""
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone():%Y-%m-%d %H:%M %Z}".strip()


def _saved(row: Any) -> str:
    return local_time(row.created_at)


def _state(row: Any) -> str:
    if row.superseded_by_id is not None:
        return f"Corrected by #{row.superseded_by_id}"
    if row.supersedes_id is not None:
        return f"Corrects #{row.supersedes_id}"
    return "Current"


class HistoryTableModel(FrozenRowsModel):
    """A patient's saved assessments (`AssessmentSummary` rows, newest first)."""

    COLUMNS = (
        Column("#", lambda r: str(r.id), numeric=True),
        Column("Saved", _saved),
        Column("Clinician", lambda r: str(r.clinician)),
        Column("Indication", lambda r: str(r.indication).replace("_", " ")),
        Column("Status", lambda r: str(r.status).replace("_", " ")),
        Column("Critical alerts", lambda r: str(r.critical_alert_count), numeric=True),
        Column("Knowledge base", lambda r: str(r.knowledge_base_version)),
        Column("State", _state),
    )
