"""Co-medications: completion over the knowledge base's names, removable items, and every
entry marked in words with whether it was checked."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import fill, type_into
from tests.ui.test_cases import example


def items(window) -> list[str]:
    lst = window.form.comedications.list
    return [lst.item(i).text() for i in range(lst.count())]


def base_case() -> dict:
    case = example("adult-spasticity-ms.json")
    case["comedications"] = []
    return case


def test_completion_offers_names_the_knowledge_base_knows(window, qtbot):
    fill(qtbot, window, base_case())
    editor = window.form.comedications
    type_into(qtbot, editor.input, "oxyc")
    completer = editor.completer
    assert completer.completionCount() >= 1
    offered = [
        completer.completionModel().index(i, 0).data() for i in range(completer.completionCount())
    ]
    assert "oxycodone" in offered
    assert set(offered) <= set(window.engine.kb.comedication_names())


def test_add_and_remove_change_the_alerts(window, qtbot):
    fill(qtbot, window, base_case())
    editor = window.form.comedications
    assert "hazard.cns_depression" not in [c.alert.id for c in window.panel.alerts.cards()]
    type_into(qtbot, editor.input, "oxycodone")
    qtbot.keyClick(editor.input, Qt.Key.Key_Return)
    assert editor.input.text() == ""
    assert items(window) == ["oxycodone — checked"]
    assert window.panel.alerts.cards()[0].alert.id == "hazard.cns_depression"
    editor.list.setFocus()
    editor.list.setCurrentRow(0)
    qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
    assert items(window) == []
    assert "hazard.cns_depression" not in [c.alert.id for c in window.panel.alerts.cards()]


def test_brand_name_is_checked_as_its_generic(window, qtbot):
    fill(qtbot, window, base_case() | {"comedications": ["Xanax"]})
    assert items(window) == ["Xanax — checked as alprazolam"]


def test_unknown_name_stays_marked_not_checked(window, qtbot):
    fill(qtbot, window, base_case() | {"comedications": ["Zzyxotril"]})
    (text,) = items(window)
    assert text == "Zzyxotril — NOT CHECKED: not in the knowledge base"
    item = window.form.comedications.list.item(0)
    assert not item.icon().isNull()
    assert window.assessment.recommendation.unrecognized_comedications == ("Zzyxotril",)
    assert any(
        "Zzyxotril" in c.header.text() and "WARNING" in c.header.text()
        for c in window.panel.alerts.cards()
    )


def test_near_miss_offers_its_suggestion(window, qtbot):
    fill(qtbot, window, base_case() | {"comedications": ["oxycodne"]})
    (text,) = items(window)
    assert "NOT CHECKED" in text and "Did you mean oxycodone?" in text
    editor = window.form.comedications
    editor.list.setCurrentRow(0)
    assert editor.suggest_button.isEnabled()
    qtbot.mouseClick(editor.suggest_button, Qt.MouseButton.LeftButton)
    assert items(window) == ["oxycodone — checked"]
    assert window.panel.alerts.cards()[0].alert.id == "hazard.cns_depression"


def test_duplicates_and_blanks_are_not_added(window, qtbot):
    fill(qtbot, window, base_case() | {"comedications": ["sertraline", "  ", "Sertraline"]})
    assert items(window) == ["sertraline — checked"]
