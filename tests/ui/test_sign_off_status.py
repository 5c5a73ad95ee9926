"""The window says in its status bar whether the loaded knowledge base is clinically approved."""

from __future__ import annotations


def test_status_bar_says_not_clinically_approved(window) -> None:
    message = window.statusBar().currentMessage()
    assert message.startswith("Knowledge base 2026.")
    assert "Knowledge base not clinically approved (no sign-off recorded)" in message
