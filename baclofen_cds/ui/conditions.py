"""The conditions of the contract as a grouped, filterable checklist."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class ConditionsChecklist(QWidget):
    """Tick the patient's conditions; a filter box narrows the list as one types."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = QLineEdit(self)
        self.filter.setObjectName("conditions_filter")
        self.filter.setPlaceholderText("Filter conditions…")
        self.filter.setAccessibleName("Filter conditions")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("conditions")
        self.tree.setAccessibleName("Conditions")
        self.tree.setAccessibleDescription("Tick each condition the patient has; Space toggles.")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(True)
        self.tree.setMinimumHeight(self.fontMetrics().height() * 10)
        self.none_box = QCheckBox("None of these conditions", self)
        self.none_box.setObjectName("conditions_none")
        self.none_box.setAccessibleName("The patient has none of these conditions")
        self.none_box.setAccessibleDescription(
            "Tick once you have checked: until a condition is ticked or this is, the"
            " recommendation says the conditions are not confirmed."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree)
        layout.addWidget(self.none_box)
        self.none_box.toggled.connect(self.changed)
        self._items: dict[str, QTreeWidgetItem] = {}
        self.filter.textChanged.connect(self._apply_filter)
        self.tree.itemChanged.connect(self._on_item_changed)

    def set_conditions(self, conditions: Any, groups_order: Any = ()) -> None:
        """`conditions`: the knowledge base's list of objects with .id, .label, .group;
        `groups_order`: `kb.condition_groups`, the order the groups are shown in."""
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        order = {g: i for i, g in enumerate(groups_order)}
        ordered = sorted(conditions, key=lambda c: order.get(str(c.group), len(order)))
        for cond in ordered:
            group = str(getattr(cond, "group", "") or "Other")
            parent = groups.get(group)
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [group])
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                groups[group] = parent
            item = QTreeWidgetItem(parent, [str(cond.label)])
            item.setData(0, CODE_ROLE, cond.id)
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self._items[str(cond.id)] = item
        self.tree.expandAll()
        self.tree.blockSignals(False)
        self._apply_filter(self.filter.text())

    def selected(self) -> list[str]:
        """Ticked condition codes, in the knowledge base's order."""
        return [
            code
            for code, item in self._items.items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]

    def set_selected(self, codes: list[str] | tuple[str, ...]) -> None:
        wanted = set(codes)
        self.tree.blockSignals(True)
        for code, item in self._items.items():
            state = Qt.CheckState.Checked if code in wanted else Qt.CheckState.Unchecked
            item.setCheckState(0, state)
        self.tree.blockSignals(False)
        if not wanted:
            self.none_box.blockSignals(True)
            self.none_box.setChecked(False)
            self.none_box.blockSignals(False)
        self._sync_none()
        self.changed.emit()

    def confirmed(self) -> bool:
        """A condition is ticked, or the clinician ticked that there are none."""
        return bool(self.selected()) or self.none_box.isChecked()

    def _sync_none(self) -> None:
        has = bool(self.selected())
        if has and self.none_box.isChecked():
            self.none_box.blockSignals(True)
            self.none_box.setChecked(False)
            self.none_box.blockSignals(False)
        self.none_box.setEnabled(not has)

    def item(self, code: str) -> QTreeWidgetItem:
        return self._items[code]

    def labels(self) -> dict[str, str]:
        return {code: item.text(0) for code, item in self._items.items()}

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        del column
        if item.data(0, CODE_ROLE) is not None:
            self._sync_none()
            self.changed.emit()

    def _apply_filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            if group is None:
                continue
            group_match = needle in group.text(0).casefold()
            shown = 0
            for j in range(group.childCount()):
                child = group.child(j)
                if child is None:
                    continue
                visible = not needle or group_match or needle in child.text(0).casefold()
                child.setHidden(not visible)
                shown += visible
            group.setHidden(shown == 0)
