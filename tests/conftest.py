"""Root test configuration.

Qt must never try to open a real display in tests: without this, pytest-qt aborts the
whole run on a machine with no screen. The variable is set before anything imports Qt.
Tests must also never touch the real user's data or settings folders, so the XDG
folders point into a throwaway directory for the whole session.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SANDBOX = tempfile.mkdtemp(prefix="baclofen-cds-tests-")
for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_var] = os.path.join(_SANDBOX, _var.lower())
os.environ.pop("BACLOFEN_CDS_DATABASE_URL", None)
