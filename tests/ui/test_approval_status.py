"""The status bar names the clinical sign-off of the knowledge base: approved only while the
loaded knowledge base is the content the clinic's policy file says a clinician signed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baclofen_cds.logic.policy import ENV_VAR, POLICY_SCHEMA
from baclofen_cds.ui.engine import Engine
from baclofen_cds.ui.main_window import MainWindow
from tests.ui.conftest import TODAY


def _window(qtbot: Any, settings: Any, engine: Engine) -> MainWindow:
    win = MainWindow(settings, today=TODAY)
    qtbot.addWidget(win)
    win.attach_engine(engine)
    win.show()
    qtbot.waitExposed(win)
    return win


def _policy(tmp_path: Path, sha256: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(
        f'schema: "{POLICY_SCHEMA}"\n'
        'approved_by: "Dr A. Reviewer, consultant neurologist"\n'
        "approved_on: 2026-11-30\n"
        f"approved_sha256: {sha256}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def loaded_kb_sha(engine: Engine) -> str:
    return str(engine.kb.sha256)


def test_signed_off_knowledge_base_reads_approved_by_whom_and_when(
    qtbot, settings, tmp_path, monkeypatch, loaded_kb_sha
):
    monkeypatch.setenv(ENV_VAR, str(_policy(tmp_path, loaded_kb_sha)))
    win = _window(qtbot, settings, Engine.load())
    text = win.approval_label.text()
    assert text.startswith("Knowledge base clinically approved by Dr A. Reviewer")
    assert "on 2026-11-30" in text
    assert "not clinically approved" not in text
    assert win.approval_label.property("approved") is True
    win.close()


def test_sign_off_of_other_content_is_not_approved(
    qtbot, settings, tmp_path, monkeypatch, loaded_kb_sha
):
    # the knowledge base was edited after the sign-off: its hash is no longer the signed one
    other = ("0" if loaded_kb_sha[0] != "0" else "1") + loaded_kb_sha[1:]
    monkeypatch.setenv(ENV_VAR, str(_policy(tmp_path, other)))
    win = _window(qtbot, settings, Engine.load())
    text = win.approval_label.text()
    assert "not clinically approved" in text
    assert "Dr A. Reviewer" in text and "other content" in text
    assert win.approval_label.property("approved") is False
    win.close()


def test_no_policy_file_is_not_approved(qtbot, settings, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    win = _window(qtbot, settings, Engine.load())
    assert "not clinically approved" in win.approval_label.text()
    assert "approved by" not in win.approval_label.text()
    win.close()
