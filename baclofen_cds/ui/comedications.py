"""Co-medication entry: completion over every name the knowledge base knows.

Entries become removable items. Each item says in words (and with an icon) whether the
engine checked it: a name the knowledge base does not know stays in the list marked
"not checked" (unknown is never safe), and a near miss offers the engine's suggestion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from baclofen_cds.ui import style

#: Letters typed before names are suggested: limits look-alike names on one screen
#: (ISMP electronic naming guidance asks for several letters before matches show).
COMPLETION_MIN_CHARS = 3
#: Rows the list shows without scrolling.
VISIBLE_ROWS = 5
TEXT_ROLE = Qt.ItemDataRole.UserRole + 1
SUGGESTION_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3


class ComedicationsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = QLineEdit(self)
        self.input.setObjectName("comedication_input")
        self.input.setAccessibleName("Add co-medication")
        self.input.setAccessibleDescription(
            "Type a generic or brand name and press Enter to add it to the list."
        )
        self.input.setPlaceholderText("Type a medicine name, press Enter")
        self.add_button = QPushButton("Add", self)
        self.add_button.setObjectName("comedication_add")
        self.add_button.setAccessibleName("Add co-medication")
        self.list = QListWidget(self)
        self.list.setObjectName("comedication_list")
        self.list.setAccessibleName("Co-medications")
        self.list.setAccessibleDescription("Delete removes the selected medicine.")
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(self._rows_height(VISIBLE_ROWS))
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setObjectName("comedication_remove")
        self.remove_button.setAccessibleName("Remove selected co-medication")
        self.suggest_button = QPushButton("Use suggestion", self)
        self.suggest_button.setObjectName("comedication_use_suggestion")
        self.suggest_button.setAccessibleName("Replace with the suggested name")
        self.suggest_button.setEnabled(False)
        self.remove_button.setEnabled(False)
        self.none_box = QCheckBox("No other &medicines", self)
        self.none_box.setObjectName("comedications_none")
        self.none_box.setAccessibleName("The patient takes no other medicines")
        self.none_box.setAccessibleDescription(
            "Tick once you have asked: until medicines are added or this is ticked, the"
            " recommendation says the medicines are not confirmed."
        )

        self._names = QStringListModel(self)
        self._name_source: Callable[[], Sequence[str]] = list
        self._names_loaded = True
        self.completer = QCompleter(self._names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.setWidget(self.input)
        self.completer.activated[str].connect(self._on_completion)  # type: ignore[index]
        # Enter and Tab on the popup are ours: QCompleter would first hand Enter to the line
        # edit (adding the typed text) and only then put the chosen name into the box.
        popup = self.completer.popup()
        assert popup is not None  # QCompleter makes its popup on first access
        popup.installEventFilter(self)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.input, 1)
        row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.suggest_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.none_box)

        self.input.textEdited.connect(self._on_edited)
        self.input.returnPressed.connect(self._add_from_input)
        self.add_button.clicked.connect(self._add_from_input)
        self.remove_button.clicked.connect(self.remove_selected)
        self.suggest_button.clicked.connect(self.use_suggestion)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.none_box.toggled.connect(self.changed)
        self._matches: dict[str, Any] = {}
        remove = QAction("Remove co-medication", self.list)
        remove.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self.remove_selected)
        self.list.addAction(remove)

    def _rows_height(self, rows: int) -> int:
        icon = self.list.style().pixelMetric(self.list.style().PixelMetric.PM_SmallIconSize)
        row = max(self.fontMetrics().lineSpacing(), icon) + 6
        return rows * row + 2 * self.list.frameWidth() + 4

    def _fit_rows(self) -> None:
        """At least VISIBLE_ROWS rows of the real item height are in sight."""
        if self.list.count():
            row = self.list.sizeHintForRow(0)
            height = VISIBLE_ROWS * row + 2 * self.list.frameWidth() + 4
            if height > self.list.minimumHeight():
                self.list.setMinimumHeight(height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        popup = self.completer.popup()
        if watched is popup and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
                index = popup.currentIndex()
                chosen = str(index.data()) if index.isValid() else ""
                if key == Qt.Key.Key_Tab and not chosen:
                    popup.hide()
                    return False  # Tab without a highlighted name: leave the field as typed
                popup.hide()
                if self.add(chosen or self.input.text()):
                    self.input.clear()
                self.input.setFocus()
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ data
    def set_names(self, names: Sequence[str] | Callable[[], Sequence[str]]) -> None:
        """The names offered as one types: a list, or a function giving it, called when the
        clinician first types a medicine rather than at start-up (the knowledge base's ~1,000
        names sorted: ~1 ms of the ready window)."""
        self._name_source = names if callable(names) else (lambda: names)
        self._names_loaded = False
        self._names.setStringList([])

    def _load_names(self) -> None:
        if not self._names_loaded:
            self._names.setStringList(list(self._name_source()))
            self._names_loaded = True

    def confirmed(self) -> bool:
        """Medicines were added, or the clinician ticked that there are none."""
        return self.list.count() > 0 or self.none_box.isChecked()

    def _sync_none(self) -> None:
        has = self.list.count() > 0
        if has and self.none_box.isChecked():
            self.none_box.blockSignals(True)
            self.none_box.setChecked(False)
            self.none_box.blockSignals(False)
        self.none_box.setEnabled(not has)

    def entries(self) -> list[str]:
        return [str(self.list.item(i).data(TEXT_ROLE)) for i in range(self.list.count())]

    def add(self, text: str) -> bool:
        """Add one entry as typed (blank and duplicate entries are ignored)."""
        cleaned = " ".join(text.split())
        if not cleaned:
            return False
        if cleaned.casefold() in (e.casefold() for e in self.entries()):
            return False
        item = QListWidgetItem()
        item.setData(TEXT_ROLE, cleaned)
        self.list.addItem(item)
        self._render(item)
        self.list.setCurrentItem(item)
        self._fit_rows()
        self.list.scrollToItem(item)
        self._sync_none()
        self.changed.emit()
        return True

    def clear(self) -> None:
        self.list.clear()
        self.input.clear()
        self._matches = {}
        self.none_box.blockSignals(True)
        self.none_box.setChecked(False)
        self.none_box.blockSignals(False)
        self._sync_none()
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self.list.takeItem(row)
        self._sync_none()
        self.changed.emit()
        self._update_buttons()

    def use_suggestion(self) -> None:
        item = self.list.currentItem()
        suggestion = item.data(SUGGESTION_ROLE) if item is not None else None
        if not suggestion:
            return
        row = self.list.currentRow()
        self.list.takeItem(row)
        if suggestion.casefold() not in (e.casefold() for e in self.entries()):
            new = QListWidgetItem()
            new.setData(TEXT_ROLE, suggestion)
            self.list.insertItem(row, new)
            self._render(new)
            self.list.setCurrentItem(new)
        self.changed.emit()
        self._update_buttons()

    def set_matches(self, matches: Any | None) -> None:
        """`matches`: the engine's `recommendation.comedications`, or None (not assessed)."""
        self._matches = {}
        for m in matches or ():
            self._matches[" ".join(str(m.text).split()).casefold()] = m
        self._checked = matches is not None
        for i in range(self.list.count()):
            self._render(self.list.item(i))
        self._update_buttons()

    # ------------------------------------------------------------------ view
    def _find(self, text: str) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if str(item.data(TEXT_ROLE)).casefold() == text.casefold():
                return item
        return None

    def _render(self, item: QListWidgetItem) -> None:
        text = str(item.data(TEXT_ROLE))
        match = self._matches.get(text.casefold())
        suggestion = None
        if match is None:
            status = "pending"
            label = f"{text} — not checked yet (case incomplete)"
            pixmap = QStyle.StandardPixmap.SP_MessageBoxQuestion
        elif match.status == "matched":
            status = "matched"
            name = match.name or text
            same = name.casefold() == text.casefold()
            label = f"{text} — checked" + ("" if same else f" as {name}")
            pixmap = QStyle.StandardPixmap.SP_DialogApplyButton
        else:
            status = "unrecognized"
            suggestion = match.suggestion
            label = f"{text} — NOT CHECKED: not in the knowledge base"
            if suggestion:
                label += f". Did you mean {suggestion}?"
            pixmap = QStyle.StandardPixmap.SP_MessageBoxWarning
        if item.text() == label and item.data(STATUS_ROLE) == status:
            return  # unchanged: no relayout of the list on every keystroke
        item.setText(label)
        item.setIcon(style.icon(pixmap))
        item.setData(SUGGESTION_ROLE, suggestion)
        item.setData(STATUS_ROLE, status)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, label)
        item.setToolTip(label)

    def _update_buttons(self, *args: Any) -> None:
        del args
        item = self.list.currentItem()
        self.remove_button.setEnabled(item is not None)
        self.suggest_button.setEnabled(item is not None and bool(item.data(SUGGESTION_ROLE)))

    def _on_edited(self, text: str) -> None:
        if len(text.strip()) >= COMPLETION_MIN_CHARS:
            self._load_names()
            self.completer.setCompletionPrefix(text.strip())
            if self.completer.completionCount() > 0:
                self.completer.complete()
                return
        popup = self.completer.popup()
        if popup is not None:
            popup.hide()

    def _on_completion(self, text: str) -> None:
        """A name chosen from the popup (a click) is added as it is, at once."""
        if self.add(text):
            self.input.clear()

    def _add_from_input(self) -> None:
        popup = self.completer.popup()
        if popup is not None and popup.isVisible():
            popup.hide()
        if self.add(self.input.text()):
            self.input.clear()
