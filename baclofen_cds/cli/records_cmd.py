"""Records sub-commands (history, show, reprint) and `recommend --save`.

Owned by the records work (issue 5). Registered by `baclofen_cds.cli.build_parser`.
"""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add the records sub-commands to the parser. Filled in by the records work."""
    del sub


def add_save_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `recommend` that save the assessment (--save, --patient-id, --clinician)."""
    del parser


def save_if_asked(args: argparse.Namespace, recommendation: Any, pdfs: Any) -> None:
    """Store the assessment when `recommend --save` was given."""
    del args, recommendation, pdfs
