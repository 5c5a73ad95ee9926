"""Alert cards made ready at start-up are reused for whatever alert comes: each shows its own
alert (title, detail, button), collapsed, never the words of the alert it was before."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import fill, type_into
from tests.ui.test_safety_first import plain_case


def test_a_ready_card_becomes_the_card_of_the_alert_that_appears(window, qtbot):
    alerts = window.panel.alerts
    qtbot.waitUntil(lambda: any(k[0].startswith("spare.") for k in alerts._spare))
    spares = {id(c) for k, c in alerts._spare.items() if k[1] == "critical"}
    fill(qtbot, window, plain_case())
    type_into(qtbot, window.form.weight_kg, "25")
    card = alerts.card("input.implausible_adult_weight")
    assert id(card) in spares  # a ready card, not a new one
    assert card.objectName() == "alert_input.implausible_adult_weight"
    assert "CRITICAL" in card.title.text()
    assert card.alert.summary in card.title.text()
    assert not card.expanded and card.detail.isHidden()
    assert card.confirm_button.isVisible()
    assert "Needs acknowledgement" in card.ack_label.text()
    qtbot.mouseClick(card.header, Qt.MouseButton.LeftButton)
    assert card.expanded and card.alert.action in card.detail.text()


def test_an_expanded_card_reused_for_another_alert_comes_back_collapsed(window, qtbot):
    alerts = window.panel.alerts
    fill(qtbot, window, plain_case())
    type_into(qtbot, window.form.weight_kg, "25")
    card = alerts.card("input.implausible_adult_weight")
    card.set_expanded(True)
    old_detail = card.detail.text()
    type_into(qtbot, window.form.weight_kg, "70")  # the alert goes: the card is a spare again
    assert card.isHidden()
    assert "input.implausible_adult_weight" not in [c.alert.id for c in alerts.cards()]
    # bring other critical alerts until this card is taken for one of them
    for key in list(alerts._spare):
        if alerts._spare[key] is not card and key[1] == "critical":
            alerts._spare.pop(key).deleteLater()
    type_into(qtbot, window.form.egfr, "10")  # kidney failure: a critical card
    assert any(c is card for c in alerts.cards())
    assert not card.expanded and card.detail.isHidden()
    assert card.alert.id != "input.implausible_adult_weight"
    assert card.objectName() == f"alert_{card.alert.id}"
    assert card.alert.summary in card.title.text()
    assert card.confirm_button.isHidden()  # not a "check this value" alert
    card.set_expanded(True)
    assert card.detail.text() != old_detail
