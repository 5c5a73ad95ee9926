"""Handout options of `recommend` (issue 4 fills these in)."""

from __future__ import annotations

import argparse
from typing import Any


def add_handout_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def write_handouts(
    args: argparse.Namespace, case: Any, recommendation: Any, policy: Any
) -> list[tuple[str, bytes]]:
    del args, case, recommendation, policy
    return []
