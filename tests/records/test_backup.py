"""`records backup --to FILE`: a consistent, private copy that opens with every record."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from baclofen_cds.records import PatientDetails, open_store
from tests.records.records_support import make_recommendation


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "baclofen_cds", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_backup_is_a_private_copy_that_restores(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    with open_store(f"sqlite:///{db}") as store:
        for _ in range(3):
            store.save_assessment(
                make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A"
            )
        target = tmp_path / "backups" / "records-backup.sqlite3"
        target.parent.mkdir()
        out = _cli("records", "backup", "--to", str(target), "--database-url", f"sqlite:///{db}")
    assert out.returncode == 0, out.stderr
    assert "backed up 3 assessments" in out.stderr and "integrity check ok" in out.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["records-backup.sqlite3"]
    # The restore check of docs/records.md: the copy opens and holds the same history.
    with open_store(f"sqlite:///{target}") as restored:
        assert len(restored.history("MRN-001")) == 3
    again = _cli("records", "backup", "--to", str(target), "--database-url", f"sqlite:///{db}")
    assert again.returncode == 2 and "already exists" in again.stderr
    forced = _cli(
        "records", "backup", "--to", str(target), "--force", "--database-url", f"sqlite:///{db}"
    )
    assert forced.returncode == 0, forced.stderr


def test_backup_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    db = tmp_path / "records.sqlite3"
    open_store(f"sqlite:///{db}").close()
    same = _cli("records", "backup", "--to", str(db), "--database-url", f"sqlite:///{db}")
    assert same.returncode == 2 and "records file itself" in same.stderr
    pg = _cli("records", "backup", "--to", str(tmp_path / "x"), "--database-url",
              "postgresql://u:secretpw@127.0.0.1:9/db")  # fmt: skip
    assert pg.returncode == 2 and "pg_dump" in pg.stderr and "secretpw" not in pg.stderr
    missing = _cli("records", "backup", "--to", str(tmp_path / "nofolder" / "b.sqlite3"),
                   "--database-url", f"sqlite:///{db}")  # fmt: skip
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert not (tmp_path / "nofolder").exists()
