"""Imported first by `baclofen_cds.logic`: msgspec without typing_extensions.

msgspec imports typing_extensions only to prefer its `get_type_hints` (and `Required`) over
the typing module's, which on Python 3.11+ give the same hints for every model here. That
import, with the inspect, ast and dis it brings, is about a tenth of a plain `recommend`
(benchmarks/bench_cli.py). So msgspec is imported here with typing_extensions hidden, when
nothing has imported either yet; a module that imports typing_extensions afterwards
(pydantic, for FHIR) gets the real one. tests/logic/test_lean_imports.py holds both sides.
"""

import sys


def import_msgspec() -> None:
    """Import msgspec with typing_extensions hidden (only when neither is imported yet)."""
    if "msgspec" in sys.modules or "typing_extensions" in sys.modules:
        return
    sys.modules["typing_extensions"] = None  # type: ignore[assignment]  # ImportError inside
    try:
        import msgspec  # noqa: F401
    finally:
        del sys.modules["typing_extensions"]


import_msgspec()
