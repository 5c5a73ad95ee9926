"""Critical alerts are the only interruptive element: printing waits for a coded reason."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from baclofen_cds.ui import handout_bridge
from baclofen_cds.ui.dialogs import AcknowledgeDialog
from tests.ui.conftest import fill, type_into
from tests.ui.test_cases import example

FAKE_PDF = b"%PDF-1.4 handout stand-in"


def two_critical():
    """Two hazards, each one critical card: sedation (opioid + benzodiazepine) and baclofen
    build-up (an NSAID with moderately reduced kidney function)."""
    return example("adult-spasticity-ms.json") | {
        "comedications": ["oxycodone", "Xanax", "ibuprofen"],
        "serum_creatinine": {"value": 1.6, "unit": "mg/dL"},
    }


@pytest.fixture
def printable(window, monkeypatch):
    """The handout module as it will be once it lands: the bridge returns PDF bytes."""
    calls = []

    def build_pdf(rec, **options):
        calls.append((rec, options))
        return FAKE_PDF

    monkeypatch.setattr(handout_bridge, "build_pdf", build_pdf)
    window._update_actions()
    return calls


def answer_dialog(monkeypatch, answers, *, accept=True):
    """Stand in for the clinician at the modal dialog: fill in the answers, then OK/Cancel."""
    seen = []

    def exec_(self):
        seen.append([a.id for a in self.alerts])
        for alert_id, (code, comment) in answers.items():
            if alert_id in self.reasons:
                self.choose(alert_id, code, comment)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if accept and ok.isEnabled():
            return QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(AcknowledgeDialog, "exec", exec_)
    return seen


def test_export_never_replaces_a_link_and_records_no_print(
    window, qtbot, printable, monkeypatch, tmp_path
):
    """The exported handout goes through the print service: a symbolic link at the chosen
    name is refused (the file it points to is untouched) and no print is recorded."""
    from PySide6.QtWidgets import QMessageBox

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    answer_dialog(monkeypatch, {"hazard.cns_depression": ("benefit_outweighs_risk", "")})
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    victim = tmp_path / "chart.txt"
    victim.write_text("not a handout")
    link = tmp_path / "h.pdf"
    link.symlink_to(victim)
    assert window.export_pdf(str(link)) is None
    assert victim.read_text() == "not a handout" and link.is_symlink()
    assert window.prints == []
    assert warned and "never replaced" in warned[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.txt", "h.pdf"]
    good = tmp_path / "handout.pdf"
    assert window.export_pdf(str(good)) == str(good)
    assert good.read_bytes() == FAKE_PDF and (good.stat().st_mode & 0o777) == 0o600
    assert [v for v, _, _ in window.prints] == ["patient"]


def test_export_waits_for_every_critical_alert(window, qtbot, printable, monkeypatch, tmp_path):
    fill(qtbot, window, two_critical())
    critical = [a.id for a in window.assessment.recommendation.critical_alerts]
    assert critical == ["hazard.baclofen_accumulation", "hazard.cns_depression"]
    assert window.export_action.isEnabled()
    target = tmp_path / "handout.pdf"

    seen = answer_dialog(monkeypatch, {}, accept=False)
    assert window.export_pdf(str(target)) is None
    assert seen == [critical]
    assert not target.exists() and printable == []

    seen = answer_dialog(monkeypatch, {"hazard.cns_depression": ("benefit_outweighs_risk", "")})
    assert window.export_pdf(str(target)) is None  # one still unanswered: OK stays disabled
    assert not target.exists()

    seen = answer_dialog(
        monkeypatch,
        {
            "hazard.cns_depression": ("benefit_outweighs_risk", "on stable dose for years"),
            "hazard.baclofen_accumulation": ("other_medicine_stopped", ""),
        },
    )
    assert window.export_pdf(str(target)) == str(target)
    assert target.read_bytes() == FAKE_PDF
    card = window.panel.alerts.card("hazard.cns_depression")
    assert "Acknowledged: Benefit outweighs the risk" in card.ack_label.text()
    assert "on stable dose for years" in card.ack_label.text()

    # already acknowledged: the next export does not interrupt again
    seen = answer_dialog(monkeypatch, {})
    assert window.export_pdf(str(tmp_path / "again.pdf"))
    assert seen == []
    # warnings are passive: never asked about
    assert "condition.epilepsy" not in window.acks.current(window.assessment.recommendation.alerts)


def test_an_acknowledgement_lapses_when_the_alert_changes(
    window, qtbot, printable, monkeypatch, tmp_path
):
    case = example("adult-spasticity-ms.json") | {"comedications": ["oxycodone"]}
    fill(qtbot, window, case)
    answer_dialog(monkeypatch, {"hazard.cns_depression": ("specialist_advice", "")})
    assert window.export_pdf(str(tmp_path / "a.pdf"))
    type_into(qtbot, window.form.comedications.input, "morphine")
    qtbot.keyClick(window.form.comedications.input, "\r")
    rec = window.assessment.recommendation
    assert [a.id for a in window.acks.pending(rec)] == ["hazard.cns_depression"]
    assert (
        "Needs acknowledgement"
        in window.panel.alerts.card("hazard.cns_depression").ack_label.text()
    )


def test_dialog_needs_a_reason_for_each_and_a_comment_for_does_not_apply(window, qtbot):
    fill(qtbot, window, two_critical())
    dialog = AcknowledgeDialog(list(window.assessment.recommendation.critical_alerts))
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.choose("hazard.cns_depression", "does_not_apply")
    dialog.choose("hazard.baclofen_accumulation", "regimen_adjusted")
    assert not ok.isEnabled()
    dialog.choose("hazard.cns_depression", "does_not_apply", "opioid was stopped last week")
    assert ok.isEnabled()
    codes = {a.alert_id: a.reason_code for a in dialog.acknowledgements()}
    assert codes == {
        "hazard.cns_depression": "does_not_apply",
        "hazard.baclofen_accumulation": "regimen_adjusted",
    }


def test_copy_note_is_the_engines_summary_with_the_acknowledgements(
    window, qtbot, printable, monkeypatch, tmp_path
):
    from baclofen_cds.logic.summary import clinician_note

    fill(qtbot, window, example("adult-spasticity-ms.json"))
    rec = window.assessment.recommendation
    answer_dialog(
        monkeypatch,
        {
            "hazard.cns_depression": ("benefit_outweighs_risk", "x"),
            "hazard.baclofen_accumulation": ("specialist_advice", ""),
        },
    )
    window.export_pdf(str(tmp_path / "h.pdf"))
    note = window.copy_note()
    assert note.startswith(clinician_note(rec).rstrip("\n"))
    said = {a.id: a.summary for a in rec.alerts}
    what = said["hazard.cns_depression"].rstrip(".")
    assert f"{what} — Benefit outweighs the risk" in note
    assert "hazard." not in note  # the alert in words, never its internal id
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == note
