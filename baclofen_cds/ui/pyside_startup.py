"""A cheaper answer to PySide6's question "does this module use PySide6?" (start-up speed).

Since PySide 6.4 (PYSIDE-2029), every module imported after PySide6 is checked for the text
"PySide6" in its source with `inspect.getsource` (linecache, tokenize, a full decode): about
0.1 ms a module, ~6 ms of the ~60 modules the window imports before it is ready. The answer
only sets the default of PySide's opt-in `from __feature__ import ...` switches (snake_case,
true_property), which this application never uses.

`read_source_directly` gives the same answer by reading the module's .py file as bytes, and
keeps PySide's own check for anything else (no file, not Python, unreadable). If a PySide
release renames or drops the check, nothing is changed (the window still starts, as fast as
PySide allows). tests/ui/test_pyside_startup.py holds the answers equal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

#: PySide's support module holding the check (embedded in shiboken6).
FEATURE_MODULE = "shibokensupport.feature"


def read_source_directly() -> bool:
    """Replace PySide's check with the direct read, once; False when there is none to
    replace (another PySide release) or it was already replaced."""
    feature = sys.modules.get(FEATURE_MODULE)
    original: Callable[[Any], bool] | None = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "reads_file", False):
        return False

    def _mod_uses_pyside(module: Any) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    _mod_uses_pyside.reads_file = True  # type: ignore[attr-defined]
    setattr(feature, "_mod_uses_pyside", _mod_uses_pyside)  # noqa: B010 - a module's private
    return True
