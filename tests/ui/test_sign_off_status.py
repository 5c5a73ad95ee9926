"""The window says in its status bar whether the loaded knowledge base is clinically approved."""

from __future__ import annotations


def test_status_bar_says_not_clinically_approved(window) -> None:
    message = window.statusBar().currentMessage()
    # the sign-off first: it must stay visible when the status bar is narrow
    assert message.startswith("Knowledge base not clinically approved (no sign-off recorded)")
    assert " · version 2026." in message
