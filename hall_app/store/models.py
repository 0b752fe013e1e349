"""The device database: the case event log, its projection, and reference data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Device(Base):
    """This installation: its id, its event counter and its sync state (one row)."""

    __tablename__ = "device"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    hall: Mapped[str] = mapped_column(String(32), default="")
    window: Mapped[str] = mapped_column(String(32), default="")
    server_url: Mapped[str] = mapped_column(String(300), default="")
    token: Mapped[str] = mapped_column(String(200), default="")
    pull_cursor: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(40), default="")
    # Sync state kept across restarts (agents' laptops, issue 13): the last successful
    # round and the last failure's reason ("" after a success).
    last_sync_ok: Mapped[str] = mapped_column(String(40), default="", server_default="")
    last_sync_error: Mapped[str] = mapped_column(Text, default="", server_default="")


class EventRow(Base):
    """One immutable case event (see hall_app.domain.events)."""

    __tablename__ = "events"
    local_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    device_id: Mapped[str] = mapped_column(String(64))
    device_seq: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    device_time: Mapped[str] = mapped_column(String(40), default="")
    schema_version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    # Sync: pending (in the outbox), sent (acknowledged), remote (pulled), quarantined.
    sync_state: Mapped[str] = mapped_column(String(16), default="pending")
    sync_error: Mapped[str] = mapped_column(Text, default="")
    server_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        UniqueConstraint("device_id", "device_seq", name="uq_events_device_seq"),
        Index("ix_events_outbox", "sync_state", "local_seq"),
    )


class CaseRow(Base):
    """The projection of a case's events: what screens list and search."""

    __tablename__ = "cases"
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    bundle_code: Mapped[str] = mapped_column(String(64))
    bundle_version: Mapped[int] = mapped_column(Integer, default=1)
    bundle_name: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(24), index=True)
    step: Mapped[str] = mapped_column(String(24), default="need")
    applicant_name: Mapped[str] = mapped_column(String(100), default="", index=True)
    applicant_id_number: Mapped[str] = mapped_column(String(18), default="")
    applicant_uscc: Mapped[str] = mapped_column(String(18), default="")
    # The one key the search box looks a case up by: the ID number, else the USCC.
    # One column with a partial index: an index on a column that is empty for every
    # person (applicant_uscc) made SQLite's planner choose a full scan once ANALYZE ran.
    applicant_key: Mapped[str] = mapped_column(String(18), default="", server_default="")
    hall: Mapped[str] = mapped_column(String(32), default="")
    window: Mapped[str] = mapped_column(String(32), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[str] = mapped_column(String(40), default="")
    due_date: Mapped[str] = mapped_column(String(10), default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_cases_window_updated", "window", "updated_at"),
        Index("ix_cases_status_updated", "status", "updated_at"),
        Index("ix_cases_applicant_key", "applicant_key", "updated_at",
              sqlite_where=text("applicant_key != ''")),
    )


class FieldDraft(Base):
    """Keystroke-level scratch for a form field being typed (before it becomes an event)."""

    __tablename__ = "field_drafts"
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[str] = mapped_column(String(40), default="")


class BundleVersion(Base):
    """An immutable published version of a bundle definition."""

    __tablename__ = "bundle_versions"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[str] = mapped_column(String(40), default="")


class Person(Base):
    """一人一档 (demo stand-in for the data platform): a citizen's file."""

    __tablename__ = "people"
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    sex: Mapped[str] = mapped_column(String(2), default="")
    birth_date: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    local_hukou: Mapped[bool] = mapped_column(Boolean, default=True)
    dishonest: Mapped[bool] = mapped_column(Boolean, default=False)


class PersonExtractRow(Base):
    """When a principal's person-file extract was last refreshed from the server (an
    agent's laptop, at each sync; sync/person_files.py). ``on_file`` False: the server
    has no file for this person (the laptop keeps what the agent typed)."""

    __tablename__ = "person_extracts"
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    on_file: Mapped[bool] = mapped_column(Boolean, default=True)
    refreshed_at: Mapped[str] = mapped_column(String(40), default="")
    updated_at: Mapped[str] = mapped_column(String(40), default="")  # the file's own date at its source


class Firm(Base):
    """一企一档: a firm's file."""

    __tablename__ = "firms"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_rep: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    dishonest: Mapped[bool] = mapped_column(Boolean, default=False)


class Elicence(Base):
    """An e-licence (电子证照) on file for a person or firm."""

    __tablename__ = "elicences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(18), index=True)  # id number or USCC
    type: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(60), default="")
    issued_by: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[str] = mapped_column(String(10), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Hall(Base):
    __tablename__ = "halls"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")


class Window(Base):
    __tablename__ = "windows"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    hall: Mapped[str] = mapped_column(ForeignKey("halls.code"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20), default="综合窗口")
    printer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # clerk / agent / supervisor / admin
    password_hash: Mapped[str] = mapped_column(String(300))
    hall: Mapped[str] = mapped_column(String(32), default="")
    window: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str] = mapped_column(String(40), default="")
    township: Mapped[str] = mapped_column(String(32), default="", server_default="")  # an agent's 乡镇/街道


class AuthorisationRow(Base):
    """The device's register of 授权委托书 (domain/authorisation.py): one row each,
    never deleted (a revocation is recorded on it)."""

    __tablename__ = "authorisations"
    auth_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent: Mapped[str] = mapped_column(String(64), index=True)
    agent_name: Mapped[str] = mapped_column(String(100), default="")
    principal_id: Mapped[str] = mapped_column(String(18), index=True)
    principal_name: Mapped[str] = mapped_column(String(100), default="")
    relation: Mapped[str] = mapped_column(String(32), default="")
    bundles: Mapped[list[Any]] = mapped_column(JSON, default=list)
    valid_from: Mapped[str] = mapped_column(String(10), default="")
    valid_until: Mapped[str] = mapped_column(String(10), default="")
    method: Mapped[str] = mapped_column(String(16), default="signed")
    attested_by: Mapped[str] = mapped_column(String(100), default="")
    township: Mapped[str] = mapped_column(String(32), default="")
    recorded_at: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[str] = mapped_column(String(40), default="")
    thumbprint: Mapped[str] = mapped_column(String(64), default="")
    revoked_at: Mapped[str] = mapped_column(String(40), default="")
    revoked_reason: Mapped[str] = mapped_column(String(200), default="")


class StoredFile(Base):
    """A file kept inside the device database (encrypted with it when it is encrypted):
    the scan of a signed 授权委托书 (``scan``, sent to the server once) and the PDFs
    printed on an agent's laptop (``pdf``; services/secure_print.py), so no personal
    data lies on disk in clear."""

    __tablename__ = "stored_files"
    file_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # scan / pdf
    owner: Mapped[str] = mapped_column(String(64), index=True)  # the auth_id (scan) or case_id/auth_id (pdf)
    name: Mapped[str] = mapped_column(String(200), default="")
    mime: Mapped[str] = mapped_column(String(40), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(40), default="")
    sent_at: Mapped[str] = mapped_column(String(40), default="")  # a scan on the server ("" not yet)
    send_error: Mapped[str] = mapped_column(Text, default="")


class EnquiryRow(Base):
    """The projection of an enquiry's events (咨询 / 首问负责 / 办不成事; domain/enquiry.py):
    what the clerk's open list and the counts read. Rebuilt from the events like a case."""

    __tablename__ = "enquiries"
    enquiry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    owner: Mapped[str] = mapped_column(String(64))
    hall: Mapped[str] = mapped_column(String(32), default="")
    window: Mapped[str] = mapped_column(String(32), default="")
    topic: Mapped[str] = mapped_column(String(100), default="")  # the first 100 characters, for lists
    opened_at: Mapped[str] = mapped_column(String(40), default="")
    closed_at: Mapped[str] = mapped_column(String(40), default="")
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_enquiries_owner_status", "owner", "status", "opened_at"),
        Index("ix_enquiries_opened", "opened_at"),
        Index("ix_enquiries_closed", "closed_at"),
    )
