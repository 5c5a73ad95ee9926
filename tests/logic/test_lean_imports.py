"""msgspec imported without typing_extensions (logic/_lean_imports.py): the trick must leave
no trace. Whatever imports typing_extensions afterwards gets the real module, and the models
still decode and refuse exactly as before (the schema tests hold the latter)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
import baclofen_cds.logic
assert "typing_extensions" not in sys.modules, "imported with msgspec"
assert "msgspec" in sys.modules
import typing_extensions
assert typing_extensions is not None and hasattr(typing_extensions, "TypedDict")
import pydantic  # the FHIR commands' models import it afterwards
class M(pydantic.BaseModel):
    x: int
assert M(x="3").x == 3
from baclofen_cds.logic import load_knowledge_base
assert load_knowledge_base().version
print("ok")
"""


def test_typing_extensions_is_real_for_whatever_imports_it_later() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_nothing_is_hidden_when_typing_extensions_came_first() -> None:
    """Imported after typing_extensions (a host that already has it), msgspec takes it."""
    script = (
        "import typing_extensions, sys, baclofen_cds.logic, msgspec._utils as u\n"
        "print(u._get_type_hints.__module__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "typing_extensions"
