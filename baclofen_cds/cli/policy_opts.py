"""The clinic's policy on the command line: `--policy FILE` (or BACLOFEN_CDS_POLICY),
`--country GB|US`, `--clinic NAME`, `--clinic-phone PHONE`.

The policy file is validated like the knowledge base (one bad field: exit 2, one line naming
it, nothing written); the options override the file's values. The result is the overrides
for `logic.load_policy`, so the policy used is recorded with the recommendation and a
reprint gives the same handout.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from baclofen_cds.cli import UsageError

# The same name as `logic.policy.ENV_VAR` (a test holds them equal): importing the logic
# package here would load the engine before the window's first paint.
ENV_VAR = "BACLOFEN_CDS_POLICY"


def add_policy_file_argument(parser: argparse.ArgumentParser) -> None:
    """`--policy FILE` (every command accepts it; SUPPRESS keeps a global value)."""
    parser.add_argument(
        "--policy",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="the clinic's policy file (YAML; default: $BACLOFEN_CDS_POLICY, if set)",
    )


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("clinic policy")
    group.add_argument(
        "--policy",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="the clinic's policy file (YAML; default: $BACLOFEN_CDS_POLICY, if set)",
    )
    group.add_argument(
        "--country",
        choices=("GB", "US"),
        default=None,
        help="the clinic's country: emergency numbers, brand and storage lines of the handout",
    )
    group.add_argument("--clinic", default=None, metavar="NAME", help="clinic name on the handout")
    group.add_argument(
        "--clinic-phone", default=None, metavar="PHONE", help="clinic phone on the handout"
    )


def policy_file(args: argparse.Namespace) -> str | None:
    """The policy file named by --policy, else by BACLOFEN_CDS_POLICY, else None."""
    value = getattr(args, "policy", None)
    if value is None:
        value = os.environ.get(ENV_VAR) or None
    if value is not None and not str(value).strip():
        raise UsageError("--policy: the file name is empty")
    return value


def policy_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The policy file's values, then the command-line options on top."""
    from baclofen_cds.logic import CaseInputError, load_policy_file

    overrides: dict[str, Any] = {}
    path = policy_file(args)
    if path is not None:
        try:
            overrides.update(load_policy_file(path))
        except CaseInputError as exc:
            raise UsageError(str(exc)) from None
    for option, key in (
        ("country", "country"),
        ("clinic", "clinic_name"),
        ("clinic_phone", "clinic_phone"),
    ):
        value = getattr(args, option, None)
        if value is not None:
            if key != "country" and not str(value).strip():
                raise UsageError(f"--{option.replace('_', '-')}: must not be empty")
            overrides[key] = value
    return overrides
