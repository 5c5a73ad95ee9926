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
        "Zzyxotril" in c.title.text() and "WARNING" in c.title.text()
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


def popup_rows(editor) -> list[str]:
    model = editor.completer.completionModel()
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def pick_with_keys(qtbot, editor, typed: str, name: str, key=Qt.Key.Key_Return) -> None:
    """Type, then ↓ through the popup to `name` and press `key` there (as a clinician does)."""
    editor.input.setFocus()
    qtbot.keyClicks(editor.input, typed)
    popup = editor.completer.popup()
    assert popup.isVisible()
    offered = popup_rows(editor)
    assert name in offered, offered
    for _ in range(offered.index(name) + 1):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    assert popup.currentIndex().data() == name
    qtbot.keyClick(popup, key)


def test_enter_on_a_completion_adds_exactly_that_medicine(window, qtbot):
    fill(qtbot, window, base_case())
    editor = window.form.comedications
    pick_with_keys(qtbot, editor, "diaz", "diazepam")
    assert items(window) == ["diazepam — checked"]
    assert editor.input.text() == ""
    assert not editor.completer.popup().isVisible()
    (hazard,) = [a for a in window.assessment.recommendation.alerts if a.indicator == "critical"]
    assert "diazepam" in [m.name for m in hazard.members]
    pick_with_keys(qtbot, editor, "oxy", "oxycodone")
    assert items(window) == ["diazepam — checked", "oxycodone — checked"]
    assert editor.input.text() == ""


def test_tab_on_a_completion_adds_it_and_a_click_adds_it(window, qtbot):
    fill(qtbot, window, base_case())
    editor = window.form.comedications
    pick_with_keys(qtbot, editor, "morph", "morphine", key=Qt.Key.Key_Tab)
    assert items(window) == ["morphine — checked"]
    assert editor.input.text() == ""
    editor.input.setFocus()
    qtbot.keyClicks(editor.input, "sert")
    popup = editor.completer.popup()
    assert popup.isVisible()
    index = popup.model().index(popup_rows(editor).index("sertraline"), 0)
    rect = popup.visualRect(index)
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert items(window) == ["morphine — checked", "sertraline — checked"]
    assert editor.input.text() == ""


def test_enter_on_typed_text_adds_the_text(window, qtbot):
    fill(qtbot, window, base_case())
    editor = window.form.comedications
    editor.input.setFocus()
    qtbot.keyClicks(editor.input, "diaz")
    popup = editor.completer.popup()
    assert popup.isVisible() and not popup.currentIndex().isValid()
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # nothing highlighted: what was typed
    assert items(window)[0].startswith("diaz — NOT CHECKED")
    assert editor.input.text() == ""


def test_the_list_shows_five_rows_and_scrolls_to_the_new_entry(window, qtbot):
    names = ["sertraline", "diazepam", "oxycodone", "morphine", "gabapentin", "zolpidem"]
    names += ["tramadol", "codeine"]
    fill(qtbot, window, base_case() | {"comedications": names})
    lst = window.form.comedications.list
    assert lst.count() == len(names)
    visible = [
        i
        for i in range(lst.count())
        if lst.viewport().rect().contains(lst.visualItemRect(lst.item(i)))
    ]
    assert len(visible) >= 5
    assert lst.count() - 1 in visible  # the newest entry is in sight
