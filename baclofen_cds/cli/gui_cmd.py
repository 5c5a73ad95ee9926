"""`baclofen-cds` with no sub-command: the clinician's window (issue 3)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from baclofen_cds.cli.recommend_cmd import print_demo

    del args
    return print_demo()
