"""A separate process that saves assessments, for the crash and concurrency tests.

    python records_worker.py URL loop PATIENT COUNT START_FILE   save COUNT, print each id
    python records_worker.py URL uidloop PATIENT COUNT START_FILE  save COUNT, each twice with
                                                                   one uid (a retry), print ids
    python records_worker.py URL hang PATIENT                    save one, then stop mid-save
    python records_worker.py URL open PATIENT START_FILE         open (create, migrate) only

Prints "saved <id>" after each commit and "in-transaction" when it is inside an
uncommitted save, so the test knows what must and must not be in the database.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from baclofen_cds.records import Acknowledgement, PatientDetails, open_store
from tests.records.records_support import make_recommendation


def main() -> None:
    url, mode, patient = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "open":  # first start of several workstations at once: create + migrate
        start_file = Path(sys.argv[4])
        while not start_file.exists():
            time.sleep(0.001)
        with open_store(url) as store:
            print(f"opened {store.count_history(patient)}", flush=True)
        return
    store = open_store(url)
    rec = make_recommendation(patient, f"Patient {patient}")
    details = PatientDetails(patient, f"Patient {patient}")
    ack = [Acknowledgement("interaction.opioids", "overridden", "benefit_outweighs_risk")]
    if mode == "loop":
        count, start_file = int(sys.argv[4]), Path(sys.argv[5])
        while not start_file.exists():  # start together with the other workers
            time.sleep(0.001)
        for _ in range(count):
            aid = store.save_assessment(
                rec,
                patient=details,
                clinician="Dr W",
                acknowledgements=ack,
                prints=[("patient", b"%PDF")],
            )
            print(f"saved {aid}", flush=True)
        return
    if mode == "uidloop":
        import os
        import uuid

        count, start_file = int(sys.argv[4]), Path(sys.argv[5])
        while not start_file.exists():
            time.sleep(0.001)
        for n in range(count):
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{patient}/{os.getpid()}/{n}"))
            ids = [
                store.save_assessment(
                    rec, patient=details, clinician="Dr W", acknowledgements=ack, uid=key
                )
                for _ in range(2)
            ]
            print(f"saved {ids[0]} again {ids[1]}", flush=True)
        return
    if mode == "hang":
        aid = store.save_assessment(rec, patient=details, clinician="Dr W")
        print(f"saved {aid}", flush=True)

        def stuck(session: object) -> None:
            from baclofen_cds.records.models import Assessment, utcnow

            row = store._assessment_row(session, aid)  # type: ignore[arg-type]
            session.add(  # type: ignore[attr-defined]
                Assessment(
                    patient_id=row.patient_id,
                    clinician="Dr W",
                    created_at=utcnow(),
                    case_json="{}",
                    result_json="{}",
                    result_sha256="0" * 64,
                    kb_version="x",
                    kb_sha256="0" * 64,
                    app_version="x",
                    status="recommended",
                    indication="spasticity",
                    alert_count=0,
                    critical_alert_count=0,
                )
            )
            session.flush()  # type: ignore[attr-defined]
            print("in-transaction", flush=True)
            time.sleep(600)

        store._write(stuck)
        return
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
