"""Every Qt model of the window, checked by pytest-qt's model tester with real engine data."""

from __future__ import annotations

from baclofen_cds.ui.models import (
    BasisTableModel,
    HistoryTableModel,
    MonitoringTableModel,
    TaperTableModel,
    TitrationTableModel,
)
from tests.ui.conftest import fill
from tests.ui.test_cases import example


def test_table_models_over_engine_data(window, qtbot, qtmodeltester):
    # (issue 8: the older adult is a Beers "avoid", withheld until an override the form cannot
    # enter yet; a case with a regimen and a taper is used)
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    rec = window.assessment.recommendation
    for model_type, rows in (
        (TitrationTableModel, rec.regimen.steps),
        (TaperTableModel, rec.taper),
        (MonitoringTableModel, rec.monitoring),
        (BasisTableModel, rec.basis),
    ):
        model = model_type()
        model.set_rows(rows)
        assert model.rowCount() == len(rows) > 0
        qtmodeltester.check(model, force_py=True)
        model.set_rows(())
        qtmodeltester.check(model, force_py=True)


def test_the_windows_own_models_after_a_change(window, qtbot, qtmodeltester):
    fill(qtbot, window, example("adult-spasticity-ms.json"))
    panel = window.panel
    for model in (
        panel.titration_model,
        panel.taper_model,
        panel.monitoring_model,
        window.basis.model,
    ):
        qtmodeltester.check(model, force_py=True)
    monitoring = panel.monitoring_model.as_text()
    assert monitoring[0] == ["What", "When", "Due", "Basis"]
    assert any(row[2].endswith("2026-12-01") for row in monitoring[1:])


def test_history_model(records_window, qtbot, qtmodeltester):
    fill(qtbot, records_window, example("adult-spasticity-ms.json") | {"comedications": []})
    assert records_window.save_assessment() is not None
    model = records_window.history.model
    assert model.rowCount() == 1
    qtmodeltester.check(model, force_py=True)
    fresh = HistoryTableModel()
    qtmodeltester.check(fresh, force_py=True)
