"""Unit of work: one session per operation, rolled back unless committed.

The window and the command line never see a `Session`; `RecordStore` opens a unit of work
for each operation and returns frozen dataclasses.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from baclofen_cds.records.engine import SQLITE_BEGIN_OPTION

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class UnitOfWork:
    """`with UnitOfWork(factory, write=True) as uow: ...; uow.commit()`.

    Leaving the block without `commit()` (including by an exception) rolls everything back.
    On SQLite a writing unit of work begins with `BEGIN IMMEDIATE`: it takes the write lock
    first (waiting up to the busy timeout for another writer) so that it can never fail
    half-way because another process wrote in between.
    """

    def __init__(self, session_factory: sessionmaker[Session], *, write: bool) -> None:
        self._factory = session_factory
        self._write = write
        self._committed = False
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        session = self._factory()
        self._session = session
        bind = session.get_bind()
        if self._write and bind.dialect.name == "sqlite":
            session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        return self

    def commit(self) -> None:
        self.session.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()
            self._session = None
