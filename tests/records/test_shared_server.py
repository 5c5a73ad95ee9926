"""A shared PostgreSQL server that protects itself, and saves that survive a lost COMMIT.

Against the real PostgreSQL (`. .ci/postgres.sh`): `records init` makes an owner and a
clinician group role; a clinician's own login can read and insert but cannot change,
delete, truncate, disable a trigger or rewrite a patient, and every row carries the login
that wrote it. A small TCP proxy cuts the connection right after COMMIT is sent: the save is
then either confirmed by its uid or reported as "outcome unknown — check history", never
"not saved", and a retry with the same uid never duplicates it.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from baclofen_cds.records import OutcomeUnknown, PatientDetails, open_store
from tests.records.conftest import PG_ENV, _pg_admin
from tests.records.records_support import make_recommendation

pytestmark = pytest.mark.postgres


# ---------------------------------------------------------------- a TCP proxy that cuts
class CuttingProxy:
    """Forwards TCP to the server; when armed, forwards the client's COMMIT and then closes
    both sides before the server's answer gets back. `refuse_after_cut`: later connections
    are closed at once (the server stays unreachable)."""

    def __init__(self, host: str, port: int, *, refuse_after_cut: bool) -> None:
        self.upstream = (host, port)
        self.refuse_after_cut = refuse_after_cut
        self.armed = False
        self.cuts = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.cuts and self.refuse_after_cut:
                client.close()
                continue
            server = socket.create_connection(self.upstream)
            cut = threading.Event()
            for args in ((client, server, True, cut), (server, client, False, cut)):
                threading.Thread(target=self._pump, args=args, daemon=True).start()

    def _pump(
        self, src: socket.socket, dst: socket.socket, from_client: bool, cut: threading.Event
    ) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data or (cut.is_set() and not from_client):
                    break  # the server's answer to COMMIT never gets back
                if from_client and self.armed and b"COMMIT" in data:
                    self.armed = False
                    cut.set()
                    dst.sendall(data)
                    self.cuts += 1
                    time.sleep(0.3)  # the server commits meanwhile
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._stop = True
        self._listener.close()


def _through(url: str, port: int) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


def _count(url: str, table: str = "assessment") -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def proxy_for(pg_url: str) -> Iterator[Any]:
    from sqlalchemy.engine import make_url

    made: list[CuttingProxy] = []
    parsed = make_url(pg_url)

    def make(*, refuse_after_cut: bool) -> CuttingProxy:
        proxy = CuttingProxy(parsed.host or "127.0.0.1", parsed.port or 5432,
                             refuse_after_cut=refuse_after_cut)  # fmt: skip
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


def test_a_lost_commit_is_confirmed_by_its_uid(pg_url: str, proxy_for: Any) -> None:
    open_store(pg_url).close()
    proxy = proxy_for(refuse_after_cut=False)
    key = str(uuid.uuid4())
    with open_store(_through(pg_url, proxy.port)) as store:
        proxy.armed = True
        aid = store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A", uid=key
        )
    assert proxy.cuts == 1
    assert _count(pg_url) == 1
    with open_store(pg_url) as store:
        assert store.get_assessment(aid).uid == key


def test_a_lost_commit_says_outcome_unknown_and_a_retry_saves_once(
    pg_url: str, proxy_for: Any
) -> None:
    open_store(pg_url).close()
    proxy = proxy_for(refuse_after_cut=True)
    key = str(uuid.uuid4())
    rec = make_recommendation()
    with open_store(_through(pg_url, proxy.port)) as store:
        proxy.armed = True
        with pytest.raises(OutcomeUnknown, match="outcome unknown — check history") as caught:
            store.save_assessment(rec, patient=PatientDetails("MRN-001"), clinician="Dr A", uid=key)
    assert "not saved" not in str(caught.value) and key in str(caught.value)
    assert _count(pg_url) == 1  # it was saved after all
    with open_store(pg_url) as store:
        again = store.save_assessment(
            rec, patient=PatientDetails("MRN-001"), clinician="Dr A", uid=key
        )
        assert [r.id for r in store.history("MRN-001")] == [again]


def test_the_command_line_says_outcome_unknown_and_writes_no_handout(
    pg_url: str, proxy_for: Any, tmp_path: Path
) -> None:
    from tests.cli.test_cli import EXAMPLE

    open_store(pg_url).close()
    proxy = proxy_for(refuse_after_cut=True)
    proxy.armed = True
    key = str(uuid.uuid4())
    base = [sys.executable, "-m", "baclofen_cds", "recommend", "--input", str(EXAMPLE),
            "--today", "2026-11-22", "--acknowledge-all", "benefit_outweighs_risk", "--save",
            "--clinician", "Dr A", "--uid", key, "--clinic-phone", "01632 960000",
            "--country", "GB"]  # fmt: skip
    out = subprocess.run(
        [*base, "--database-url", _through(pg_url, proxy.port), "--handout",
         str(tmp_path / "h.pdf")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 3, out.stderr
    assert "outcome unknown — check history" in out.stderr and "not saved" not in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "h.pdf").exists() and not list(tmp_path.glob(".bcds-*"))
    retry = subprocess.run([*base, "--database-url", pg_url], capture_output=True, text=True,
                           timeout=120, check=False)  # fmt: skip
    assert retry.returncode == 0, retry.stderr
    assert _count(pg_url) == 1


# ---------------------------------------------------------------- roles
@pytest.fixture
def clinician_url(pg_url: str) -> Iterator[tuple[str, str]]:
    """`records init` on the test schema, and a clinician's own login (member of the group)."""
    from sqlalchemy.engine import make_url

    from baclofen_cds.records.admin import CLINICIAN_ROLE, init_server

    done = init_server(pg_url)
    assert "baclofen_cds_clinician" in done
    login = f"bcds_clin_{uuid.uuid4().hex[:10]}"
    _pg_admin(f"CREATE ROLE {login} LOGIN IN ROLE {CLINICIAN_ROLE}")
    try:
        url = make_url(pg_url).set(username=login).render_as_string(hide_password=False)
        yield url, login
    finally:
        _pg_admin(f"DROP ROLE {login}")


def _as(url: str, sql: str) -> str:
    """Run one statement as the URL's login; the error class name, or 'ok'."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(
        host=u.host, port=u.port, user=u.username, dbname=u.database,
        options=str(u.query.get("options", "")), autocommit=True,
    ) as conn:  # fmt: skip
        try:
            conn.execute(sql)  # type: ignore[arg-type]
        except psycopg.Error as exc:
            return type(exc).__name__
    return "ok"


def test_a_clinician_login_saves_and_every_row_names_it(clinician_url: tuple[str, str]) -> None:
    url, login = clinician_url
    with open_store(url) as store:
        aid = store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr Anybody",
            prints=[("patient", b"%PDF-1.4 x", {"printed_on": "2026-11-22"})],
        )  # fmt: skip
        stored = store.get_assessment(aid)
    assert stored.clinician == "Dr Anybody"  # what was typed ...
    assert stored.db_user == login  # ... and who really logged in
    assert stored.prints[0].db_user == login
    # A forged db_user is replaced by the login (a trigger), whoever sends it.
    assert _as(url, "INSERT INTO patient (external_id, created_at, db_user) "
                    "VALUES ('MRN-X', now(), 'someone_else')") == "ok"  # fmt: skip
    assert _as(url, "SELECT 1 FROM patient WHERE external_id = 'MRN-X' "
                    f"AND db_user = '{login}'") == "ok"  # fmt: skip


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE assessment SET clinician = 'Dr Evil'",
        "DELETE FROM handout_print",
        "DELETE FROM alert_acknowledgement",
        "TRUNCATE assessment CASCADE",
        "TRUNCATE handout_print",
        "ALTER TABLE assessment DISABLE TRIGGER ALL",
        "ALTER TABLE handout_print DISABLE TRIGGER trg_handout_print_append_only",
        "UPDATE patient SET external_id = 'MRN-OTHER'",
        "DELETE FROM patient",
        "UPDATE alembic_version SET version_num = '0001'",
        "DROP TABLE handout_print",
        "CREATE TABLE evil (id int)",
    ],
)
def test_a_clinician_login_cannot_change_anything(clinician_url: tuple[str, str], sql: str) -> None:
    url, _ = clinician_url
    with open_store(url) as store:
        store.save_assessment(
            make_recommendation(), patient=PatientDetails("MRN-001"), clinician="Dr A",
            prints=[("patient", b"%PDF-1.4 x", {})],
        )  # fmt: skip
    assert _as(url, sql) == "InsufficientPrivilege"
    assert _count(url) == 1 and _count(url, "handout_print") == 1


def test_even_the_owner_cannot_rewrite_a_patient(pg_url: str) -> None:
    """Patient identity is append-only: moving a history to another id is refused by the
    database itself (a trigger), for every login."""
    with open_store(pg_url) as store:
        store.save_assessment(make_recommendation(), patient=PatientDetails("MRN-001"),
                              clinician="Dr A")  # fmt: skip
    assert _as(pg_url, "UPDATE patient SET external_id = 'MRN-002'") == "RestrictViolation"
    assert _as(pg_url, "DELETE FROM patient") == "RestrictViolation"
    with open_store(pg_url) as store:
        assert len(store.history("MRN-001")) == 1


def test_records_init_is_repeatable_and_refuses_sqlite(pg_url: str, tmp_path: Path) -> None:
    from baclofen_cds.records import InvalidRecord
    from baclofen_cds.records.admin import init_server

    init_server(pg_url)
    init_server(pg_url)
    with pytest.raises(InvalidRecord, match="PostgreSQL"):
        init_server(f"sqlite:///{tmp_path / 'r.sqlite3'}")


def test_records_init_on_the_command_line(pg_url: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "baclofen_cds", "records", "init", "--database-url", pg_url],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, PG_ENV: pg_url},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "baclofen_cds_owner" in out.stderr and "baclofen_cds_clinician" in out.stderr
