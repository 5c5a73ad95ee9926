"""The patient's history: saved assessments from the records API, newest first.

Open a row read-only (recomputed and checked against the record), or start a new case
from it. Disabled, with the reason in words, when records are unavailable.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui.models import ROW_ROLE, HistoryTableModel, local_time

PAGE_SIZE = 20


class HistoryView(QWidget):
    open_requested = Signal(int)  # assessment id
    new_from_requested = Signal(int)  # assessment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history")
        self.message = QLabel("Records are being opened…", self)
        self.message.setObjectName("history_message")
        self.message.setWordWrap(True)
        self.model = HistoryTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("history_table")
        self.table.setAccessibleName("Saved assessments of this patient")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.open_button = QPushButton("Open read-only", self)
        self.open_button.setObjectName("history_open")
        self.new_button = QPushButton("New case from this", self)
        self.new_button.setObjectName("history_new_from")
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(lambda: self._emit(self.open_requested))
        self.new_button.clicked.connect(lambda: self._emit(self.new_from_requested))
        self.table.doubleClicked.connect(lambda *_: self._emit(self.open_requested))
        self.set_available(False, "The records are opened when this tab is first shown.")

    def set_available(self, available: bool, message: str = "") -> None:
        self.table.setEnabled(available)
        self.open_button.setEnabled(available)
        self.new_button.setEnabled(available)
        self.message.setText(message)

    def show_rows(self, patient_id: str, rows: list[Any], total: int) -> None:
        self.model.set_rows(rows)
        if not patient_id:
            self.message.setText("Enter a patient id to see the patient's saved assessments.")
        elif not rows:
            self.message.setText(f"No saved assessment for patient {patient_id}.")
        else:
            more = f" (newest {len(rows)} shown)" if total > len(rows) else ""
            self.message.setText(f"{total} saved assessment(s) for patient {patient_id}{more}.")
        if rows:
            self.table.selectRow(0)

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.model.data(index, ROW_ROLE)
        return int(row.id) if row is not None else None

    def _emit(self, signal: Any) -> None:
        aid = self.selected_id()
        if aid is not None:
            signal.emit(aid)


class StoredAssessmentDialog(QDialog):
    """A saved assessment, read-only: the clinician note of the recomputed result, or the
    stored JSON with the reason it could not be recomputed."""

    def __init__(self, stored: Any, text: str, message: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("stored_assessment")
        self.setWindowTitle(f"Assessment {stored.id} (read-only)")
        head = QLabel(
            f"Saved {local_time(stored.created_at)} by {stored.clinician};"
            f" knowledge base {stored.knowledge_base_version}."
            + (
                f"\nCorrected by assessment {stored.superseded_by_id}."
                if stored.superseded_by_id
                else ""
            )
            + (
                f"\nNot recomputed: {message} The stored record is shown as saved."
                if message
                else ""
            )
        )
        head.setWordWrap(True)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("stored_text")
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Saved assessment, read-only")
        if not text:
            import json  # only for an assessment saved without its text

            text = json.dumps(stored.result, indent=2)
        self.text.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        fm = self.fontMetrics()
        self.resize(fm.averageCharWidth() * 100, fm.height() * 36)
        self.text.setFocus(Qt.FocusReason.OtherFocusReason)
