"""Write schema_0001.sqlite3: a records database of the first released schema (revision 0001).

Kept in the repository so that every later schema is tested upgrading a real old file
(test_migrations.py). Run once when schema 0001 was current; do not regenerate it later.
    python tests/records/data/make_schema_0001.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from baclofen_cds.records import Acknowledgement, PatientDetails, open_store  # noqa: E402
from tests.records.records_support import make_recommendation  # noqa: E402


def main() -> None:
    target = HERE / "schema_0001.sqlite3"
    target.unlink(missing_ok=True)
    with open_store(f"sqlite:///{target}") as store:
        first = store.save_assessment(
            make_recommendation("MRN-001", "Zoë O'Brien"),
            patient=PatientDetails("MRN-001", "Zoë O'Brien", 1981, "female"),
            clinician="Dr A. Smith",
            acknowledgements=[Acknowledgement("interaction.opioids", "overridden", "benefit")],
            prints=[("patient", b"%PDF-1.4 first")],
        )
        store.save_assessment(
            make_recommendation("MRN-001", "Zoë O'Brien", status="recommended"),
            patient=PatientDetails("MRN-001"),
            clinician="Dr A. Smith",
            supersedes=first,
        )
        with store._engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    for sidecar in HERE.glob("schema_0001.sqlite3-*"):
        sidecar.unlink()


if __name__ == "__main__":
    main()
