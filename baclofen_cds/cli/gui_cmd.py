"""`baclofen-cds` with no sub-command: the clinician's window (issue 3)."""

from __future__ import annotations

import argparse
import importlib.util
import sys


def run(args: argparse.Namespace) -> int:
    """Open the window; with --startup-check print the ms to first paint and exit."""
    if importlib.util.find_spec("PySide6") is None:
        print(
            "baclofen-cds: the window needs PySide6: install the 'gui' extra"
            " (pip install 'baclofen-cds[gui]'); the sub-commands work without it.",
            file=sys.stderr,
        )
        return 2
    import os

    from baclofen_cds.cli import policy_opts
    from baclofen_cds.cli.policy_opts import ENV_VAR

    path = policy_opts.policy_file(args)  # --policy, else BACLOFEN_CDS_POLICY
    if path is not None:
        policy_opts.policy_overrides(args)  # a bad file: exit 2 with one line, no window
        os.environ[ENV_VAR] = str(path)  # the window's engine reads it at start-up
    from baclofen_cds.ui.app import run as run_app

    return run_app(
        startup_check=bool(getattr(args, "startup_check", False)),
        database_url=getattr(args, "database_url", None),
    )
