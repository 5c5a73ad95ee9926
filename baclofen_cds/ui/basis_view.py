"""The "Basis" view: why any number has the value it has (FDA CDS criterion 4).

For each output: the rule, the inputs it used, the equation with this patient's numbers,
the sources (title, grade, link) and the knowledge-base version, so the clinician can
review the basis independently instead of relying on the tool.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui.alerts_view import sources_html
from baclofen_cds.ui.models import BasisTableModel, plain


def basis_html(recommendation: Any, entry: Any) -> str:
    from html import escape  # on use: not needed to show the window

    marks = []
    if entry.derived:
        marks.append("<b>DERIVED</b> — calculated from a source, not stated by it")
    if entry.unverified:
        marks.append("<b>UNVERIFIED</b> — not confirmed by an authoritative source")
    if entry.local_policy:
        marks.append("<b>Local policy</b> — set by the clinic, not a label rule")
    inputs = "".join(
        f"<tr><td>{escape(str(k))}</td><td>{escape(plain(v))}</td></tr>" for k, v in entry.inputs
    )
    kb = recommendation.knowledge_base
    parts = [
        f"<h3>{escape(entry.output)}</h3>",
        f"<p><b>Rule:</b> {escape(entry.rule)}</p>",
    ]
    if marks:
        parts.append("<p>" + "<br>".join(marks) + "</p>")
    parts.append(
        "<p><b>Inputs used:</b></p><table border='1' cellpadding='3' cellspacing='0'>"
        + (inputs or "<tr><td>none</td></tr>")
        + "</table>"
    )
    from baclofen_cds.ui.fhir_actions import record_html  # inputs imported from a FHIR record

    parts.append(record_html(recommendation, entry))
    if entry.equation:
        parts.append(f"<p><b>Equation:</b> <code>{escape(entry.equation)}</code></p>")
    if entry.note:
        parts.append(f"<p><b>Note:</b> {escape(entry.note)}</p>")
    parts.append("<p><b>Sources:</b></p>" + sources_html(recommendation, entry.sources))
    parts.append(
        f"<p><b>Knowledge base:</b> version {escape(kb.version)}, reviewed {escape(kb.reviewed)},"
        f" SHA-256 {escape(kb.sha256[:16])}…</p>"
    )
    return "".join(parts)


class BasisView(QWidget):
    """All basis entries in a table; the selected one in full below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("basis")
        self.model = BasisTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("basis_table")
        self.table.setAccessibleName("Basis of each output")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("basis_detail")
        self.detail.setAccessibleName("Basis detail")
        self.detail.setOpenExternalLinks(True)
        self.empty = QLabel("No recommendation yet: the basis appears with it.", self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        self._recommendation: Any = None
        self._pending: Any = None
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

    def set_recommendation(self, recommendation: Any | None) -> None:
        """Shown at once when visible; otherwise when the view is next shown (it is a tab)."""
        self._pending = recommendation
        if self.isVisible():
            self._refresh()

    def showEvent(self, event: Any) -> None:
        self._refresh()
        super().showEvent(event)

    def _refresh(self) -> None:
        recommendation = self._pending
        if (
            recommendation is not None
            and self._recommendation is not None
            and (recommendation.basis == self._recommendation.basis)
        ):
            self._recommendation = recommendation
            return
        current = self.current_output()
        self._recommendation = recommendation
        self.model.set_rows(recommendation.basis if recommendation is not None else ())
        self.empty.setVisible(recommendation is None)
        if recommendation is None:
            self.detail.clear()
            return
        if not (current and self.show_output(current)):
            self.show_output("")

    def current_output(self) -> str | None:
        row = self.table.currentIndex().row()
        rows = self.model.rows()
        return str(rows[row].output) if 0 <= row < len(rows) else None

    def show_output(self, prefix: str) -> bool:
        """Select the first entry whose output starts with `prefix`; False if none."""
        self._refresh()
        for i, entry in enumerate(self.model.rows()):
            if str(entry.output).startswith(prefix):
                index = self.model.index(i, 0)
                self.table.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self._show(entry)
                return True
        self.detail.setPlainText(f"No basis entry for {prefix}.")
        return False

    def detail_text(self) -> str:
        return str(self.detail.toPlainText())

    def _on_current(self, current: Any, previous: Any) -> None:
        del previous
        rows = self.model.rows()
        if 0 <= current.row() < len(rows):
            self._show(rows[current.row()])

    def _show(self, entry: Any) -> None:
        if self._recommendation is not None:
            self.detail.setHtml(basis_html(self._recommendation, entry))
