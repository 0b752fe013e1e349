"""Publishing bundle versions: immutable, numbered, flowing to every device in the feed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, insert, select

from hall_app.server.auth import utc_now
from hall_app.server.models import bundle_versions
from hall_app.server.writes import insert_rows, reserve


@dataclass(frozen=True)
class Published:
    code: str
    name: str
    version: int
    content_hash: str
    new: bool


def load_entries(path: Path):
    """Validated catalog entries from one TOML file or a folder of them (all or nothing)."""
    from bundles.loader import CatalogError, check

    if not Path(path).exists():
        raise FileNotFoundError(str(path))
    entries, problems = check([Path(path)])
    if problems or not entries:
        raise CatalogError(problems)
    return entries


def publish(engine: Engine, entries) -> list[Published]:
    """Publish each entry unless this exact content is already out.

    A changed file becomes the next version of its bundle (never an edit of an old
    one): cases keep the version they started with, new cases take the newest.
    """
    out = []
    with engine.begin() as conn:
        for entry in entries:
            bundle, digest = entry.bundle, entry.content_hash
            row = conn.execute(select(bundle_versions.c.version).where(
                bundle_versions.c.code == bundle.code, bundle_versions.c.content_hash == digest)).first()
            if row is not None:
                out.append(Published(bundle.code, bundle.name, row.version, digest, False))
                continue
            latest = conn.execute(select(func.max(bundle_versions.c.version)).where(
                bundle_versions.c.code == bundle.code)).scalar() or 0
            version = max(bundle.version, latest + 1)
            data = bundle.model_dump(mode="json") | {"version": version}
            seq = reserve(conn, 1)
            now = utc_now()
            conn.execute(insert(bundle_versions).values(code=bundle.code, content_hash=digest, version=version,
                                                        name=bundle.name, data=data, published_at=now, seq=seq))
            insert_rows(conn, [{"seq": seq, "kind": "bundle", "event_id": str(uuid.uuid4()), "case_id": "",
                                "device_id": "server", "device_seq": seq, "actor": "server",
                                "type": "catalog.bundle_published",
                                "payload": {"code": bundle.code, "version": version, "content_hash": digest,
                                            "name": bundle.name, "data": data},
                                "device_time": now, "schema_version": 1, "content_hash": digest,
                                "hall": "*", "agent": "*", "received_at": now}])
            out.append(Published(bundle.code, bundle.name, version, digest, True))
    return out


def bundle_names(engine: Engine, code: str, content_hash: str) -> tuple[str, dict[str, str]]:
    """The bundle's name and its items' names, from the published version or the shipped file."""
    with engine.connect() as conn:
        row = conn.execute(select(bundle_versions.c.data).where(
            bundle_versions.c.code == code, bundle_versions.c.content_hash == content_hash)).first()
        if row is None:
            row = conn.execute(select(bundle_versions.c.data).where(bundle_versions.c.code == code)
                               .order_by(bundle_versions.c.version.desc()).limit(1)).first()
    data = dict(row.data) if row is not None else _shipped(code)
    if not data:
        return code, {}
    return data.get("name", code), {i["code"]: i.get("name", i["code"]) for i in data.get("items", [])}


def _shipped(code: str) -> dict:
    try:
        from bundles.loader import load_catalog

        bundle = load_catalog().get(code)
    except Exception:  # a broken shipped catalog must not break the tracking page
        return {}
    return bundle.model_dump(mode="json") if bundle else {}
