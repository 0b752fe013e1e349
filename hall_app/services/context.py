"""The application context: settings, database, catalog, calendar, clock, device.

One ``HallContext`` per process. Services hang off it (``ctx.cases``, ``ctx.users``…).
Opening it runs pending migrations; the catalog and calendar load on first use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hall_app.config import Settings, load_settings
from hall_app.domain.calendar import CHINA, WorkCalendar
from hall_app.domain.case import CaseState, apply, stamp_base
from hall_app.domain.events import Event
from hall_app.domain.identifiers import uuid7
from hall_app.store import db
from hall_app.store.models import Device
from hall_app.store.repository import CaseRepository, next_device_seq

if TYPE_CHECKING:
    from hall_app.domain.catalog import Catalog
    from hall_app.services.agent_day import AgentDay
    from hall_app.services.authorisations import AuthorisationService
    from hall_app.services.cases import CaseService
    from hall_app.services.catalog import CatalogService
    from hall_app.services.dispatch import DispatchService
    from hall_app.services.documents import DocumentService
    from hall_app.services.enquiries import EnquiryService
    from hall_app.services.handover import HandOverService
    from hall_app.services.people import PersonFileService
    from hall_app.services.queue import HallQueue
    from hall_app.services.ratings import RatingService
    from hall_app.services.scan_copies import ScanCopies
    from hall_app.services.users import UserService


def china_now() -> dt.datetime:
    return dt.datetime.now(CHINA)


class HallContext:
    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = china_now,
                 db_key: bytes | None = None):
        self.settings = settings
        self.clock = clock
        # an encrypted laptop database (store/cipher.py): the key unwrapped at sign-in,
        # or from HALL_DB_USER / HALL_DB_PASSWORD for the command line
        self.db_key = db_key if db_key is not None else _env_key(settings)
        # a path the user gave must exist up to its directory; the default one is created
        self.engine = db.open_database(settings.db_path, create_parent=not settings.db, key=self.db_key)
        self.Session = db.make_sessionmaker(self.engine)
        self.device_id = self._ensure_device()

    # -- infrastructure ---------------------------------------------------------------
    def _ensure_device(self) -> str:
        with self.Session.begin() as session:
            device = session.scalar(select(Device).limit(1))
            if device is None:
                device = Device(device_id=uuid7(), name=self.settings.device_name,
                                hall=self.settings.hall, window=self.settings.window,
                                created_at=self.now_iso())
                session.add(device)
            return device.device_id

    @contextmanager
    def unit_of_work(self) -> Iterator[tuple[Session, CaseRepository]]:
        """One transaction: commits on success, rolls back on any error."""
        with self.Session.begin() as session:
            yield session, CaseRepository(session)

    def hold_write_lock(self, session: Session) -> None:
        """Take the database's write lock now, at the start of a unit of work, so that
        what it reads next stays true until it commits (nobody else can write meanwhile).

        A no-op update of this device's row: SQLite takes its write lock at the first
        write of a transaction, and this one writes nothing and uses no sequence number.
        """
        session.execute(update(Device).where(Device.device_id == self.device_id)
                        .values(last_seq=Device.last_seq))

    def read(self) -> Session:
        return self.Session()

    def now(self) -> dt.datetime:
        return self.clock()

    def now_iso(self) -> str:
        return self.clock().isoformat(timespec="seconds")

    def today(self) -> dt.date:
        return self.clock().date()

    def record(self, session: Session, repo: CaseRepository, case_id: str, actor: str, kind: str,
               payload: dict, state: CaseState | None = None, bundle_name: str = "") -> CaseState:
        """Append one event and update the projection, in the caller's transaction.

        The event is checked against the case first (strict apply): an illegal
        action raises CaseError and nothing is written.
        """
        current = state if state is not None else repo.get(case_id)
        event = Event(event_id=uuid7(), case_id=case_id, device_id=self.device_id, device_seq=0, actor=actor,
                      type=kind, payload=stamp_base(current, kind, payload), device_time=self.now_iso())
        new_state = apply(current, event, strict=True)  # raises before anything is written
        seq = next_device_seq(session, self.device_id)  # from here on this transaction holds the write lock
        fresh = repo.get(case_id, fresh=True)
        if fresh is not None and (current is None or fresh.version != current.version):
            # Background sync changed the case between our read and our write: decide again.
            event = Event(**{**event.__dict__, "payload": stamp_base(fresh, kind, payload)})
            new_state = apply(fresh, event, strict=True)
        event = Event(**{**event.__dict__, "device_seq": seq})
        repo.add_event(event)
        repo.save(new_state, bundle_name)
        return new_state

    # -- catalog and calendar -----------------------------------------------------------
    @cached_property
    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_config(self.settings.calendar)

    @cached_property
    def catalog(self) -> "Catalog":
        return self.catalog_service.catalog()

    # -- services -------------------------------------------------------------------------
    @cached_property
    def catalog_service(self) -> "CatalogService":
        from hall_app.services.catalog import CatalogService

        return CatalogService(self)

    @cached_property
    def ratings(self) -> "RatingService":
        from hall_app.services.ratings import RatingService

        return RatingService(self)

    @cached_property
    def cases(self) -> "CaseService":
        from hall_app.services.cases import CaseService

        return CaseService(self)

    @cached_property
    def dispatch(self) -> "DispatchService":  # after the counter (docs/dispatch.md)
        from hall_app.services.dispatch import DispatchService

        return DispatchService(self)

    @cached_property
    def handover(self) -> "HandOverService":
        from hall_app.services.handover import HandOverService

        return HandOverService(self)

    @cached_property
    def people(self) -> "PersonFileService":
        from hall_app.services.people import PersonFileService

        return PersonFileService(self)

    @cached_property
    def users(self) -> "UserService":
        from hall_app.services.users import UserService

        return UserService(self)

    @cached_property
    def documents(self) -> "DocumentService":
        from hall_app.services.documents import DocumentService

        return DocumentService(self)

    # -- the hall queue (issue 10): embedded beside the device database, or the server's ---
    @cached_property
    def queue(self) -> "HallQueue":
        from hall_app.services.queue import open_queue

        return open_queue(self)
    # -- agents (issue 13) --
    @cached_property
    def authorisations(self) -> "AuthorisationService":
        from hall_app.services.authorisations import AuthorisationService

        return AuthorisationService(self)

    @cached_property
    def scans(self) -> "ScanCopies":  # a signed authorisation's scan, read back (scan_copies.py)
        from hall_app.services.scan_copies import ScanCopies

        return ScanCopies(self)

    @cached_property
    def agent_day(self) -> "AgentDay":
        from hall_app.services.agent_day import AgentDay

        return AgentDay(self)

    @cached_property
    def enquiries(self) -> "EnquiryService":  # 咨询 / 首问负责 / 办不成事 (domain/enquiry.py)
        from hall_app.services.enquiries import EnquiryService

        return EnquiryService(self)

    def close(self) -> None:
        if "queue" in self.__dict__:
            self.__dict__["queue"].close()
        self.engine.dispose()


def _env_key(settings: Settings) -> bytes | None:
    from hall_app.store import cipher

    if not cipher.is_encrypted(settings.db_path):
        return None
    try:
        return cipher.env_key(settings.db_path)
    except cipher.CipherError as exc:
        raise db.DatabaseError(str(exc)) from None


def open_context(settings: Settings | None = None, **overrides) -> HallContext:
    return HallContext(settings or load_settings(**overrides))
