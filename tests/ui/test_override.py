"""'Avoid' is a stop: no dose until a documented specialist override (contract of issue 8).

Until the engine of issue 8 is in this branch, the engine is wrapped so that it answers as
the contract says (`regimen_withheld`, `override`); with that engine the wrapper is a no-op.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from baclofen_cds.ui.dialogs import OverrideDialog
from tests.ui.conftest import fill
from tests.ui.test_cases import example


@pytest.fixture
def contract_engine(engine):
    """The real engine: "avoid" comes with `regimen_withheld`, and `override` is honoured."""
    return engine


def answer_override(monkeypatch, reason: str, note: str, *, clinician: str | None = None):
    def exec_(self):
        self.reason.setCurrentIndex(self.reason.findData(reason))
        if clinician is not None:
            self.clinician.setText(clinician)
        self.note.setFocus()
        self.note.setText(note)
        return QDialog.DialogCode.Accepted if self.value() else QDialog.DialogCode.Rejected

    monkeypatch.setattr(OverrideDialog, "exec", exec_)


def test_avoid_shows_no_dose_until_a_documented_override(
    window, qtbot, contract_engine, monkeypatch
):
    window.settings.set("clinician/name", "Dr Renal Specialist")
    fill(qtbot, window, example("dialysis.json"))
    panel = window.panel
    assert panel.status_banner.text().startswith("■ AVOID")
    assert panel.start_regimen.text() == "No dose is shown: specialist only."
    assert "mg" not in panel.start_regimen.text() and panel.max_daily.text() == ""
    assert panel.titration_model.rowCount() == 0
    assert not window.print_action.isEnabled()
    assert panel.override_button.isVisible()

    answer_override(monkeypatch, "specialist_supervision", "")  # no note: refused
    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    assert window.override is None and "mg" not in panel.start_regimen.text()

    answer_override(monkeypatch, "specialist_supervision", "renal team reviews weekly")
    qtbot.mouseClick(panel.override_button, Qt.MouseButton.LeftButton)
    assert window.override == {
        "reason": "specialist_supervision",
        "clinician": "Dr Renal Specialist",
        "note": "renal team reviews weekly",
    }
    assert "mg" in panel.start_regimen.text()
    assert panel.titration_model.rowCount() > 0
    assert panel.override_label.isVisible()
    assert panel.override_label.text().startswith(
        "UNDER SPECIALIST OVERRIDE — Started and supervised by a specialist"
    )
    assert "renal team reviews weekly" in panel.override_label.text()
    assert not panel.override_button.isVisible()
    # the override is part of the case: it is what is saved with the assessment
    assert window.assessment.recommendation.override.reason == "specialist_supervision"

    qtbot.mouseClick(panel.override_withdraw, Qt.MouseButton.LeftButton)
    assert window.override is None
    assert "mg" not in panel.start_regimen.text()


def test_the_override_lapses_when_nothing_is_withheld(window, qtbot, contract_engine, monkeypatch):
    window.settings.set("clinician/name", "Dr Renal Specialist")
    fill(qtbot, window, example("dialysis.json"))
    answer_override(monkeypatch, "palliative_care", "comfort care")
    qtbot.mouseClick(window.panel.override_button, Qt.MouseButton.LeftButton)
    assert window.override is not None
    window.form.dialysis.setCurrentIndex(window.form.dialysis.findData("none"))
    window.form.serum_creatinine.setText("0.8")
    assert window.assessment.recommendation.status != "avoid"
    assert window.override is None
    assert not window.panel.override_label.isVisible()
    window.form.dialysis.setCurrentIndex(window.form.dialysis.findData("hemodialysis"))
    assert window.assessment.recommendation.status == "avoid"
    assert "mg" not in window.panel.start_regimen.text()  # never silently re-applied
