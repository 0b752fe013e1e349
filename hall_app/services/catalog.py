"""The catalog as the app sees it: shipped bundle files plus versions published by
the central server, and the exact version each case started with."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.domain.bundle import Bundle
from hall_app.domain.catalog import Catalog, CatalogEntry
from hall_app.store.models import BundleVersion

if TYPE_CHECKING:
    from hall_app.services.context import HallContext


@lru_cache(maxsize=256)
def _bundle_from_json(content_hash: str, raw: str) -> Bundle:
    import json

    return Bundle.model_validate(json.loads(raw))


class CatalogService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx
        self._catalog: Catalog | None = None
        self._versions: dict[tuple[str, str], Bundle] = {}

    def catalog(self) -> Catalog:
        """Shipped files, overridden by newer versions published by the server."""
        if self._catalog is None:
            from bundles.loader import load_catalog

            shipped = load_catalog()
            entries = {b.code: shipped.entry(b.code) for b in shipped}
            if self.ctx.settings.device.bundle_offer == "published":
                released = self._released()
                entries = {code: e for code, e in entries.items()
                           if e is not None and (code, e.content_hash) in released}
            with self.ctx.read() as session:
                for row in session.scalars(select(BundleVersion).order_by(BundleVersion.version)):
                    current = entries.get(row.code)
                    if current is None or row.version > current.bundle.version:
                        entries[row.code] = CatalogEntry(self._bundle(row), row.content_hash, "server")
            self._catalog = Catalog(e for e in entries.values() if e is not None)
        return self._catalog

    def reload(self) -> Catalog:
        self._catalog = None
        self.ctx.__dict__.pop("catalog", None)
        return self.catalog()

    @staticmethod
    def _released() -> set[tuple[str, str]]:
        """(code, content hash) of the shipped contents with a recorded review and release."""
        from bundles.reviews import read_records

        return {(r.code, r.content_hash) for r in read_records() if r.status == "published"}

    @staticmethod
    def _bundle(row: BundleVersion) -> Bundle:
        import json

        return _bundle_from_json(row.content_hash, json.dumps(row.data, sort_keys=True, ensure_ascii=False))

    def remember(self, session, entry: CatalogEntry) -> None:
        """Keep the exact definition a case starts with (immutable, by content hash)."""
        code, digest = entry.bundle.code, entry.content_hash
        if session.get(BundleVersion, (code, digest)) is None:
            session.add(BundleVersion(code=code, content_hash=digest, version=entry.bundle.version,
                                      data=entry.bundle.model_dump(mode="json", exclude_defaults=False),
                                      published_at=self.ctx.now_iso()))

    def bundle_for(self, code: str, content_hash: str) -> Bundle:
        """The bundle version a case started with; the current one if it was never stored.

        Versions are immutable, so a found version is cached for the process."""
        key = (code, content_hash)
        if key in self._versions:
            return self._versions[key]
        with self.ctx.read() as session:
            row = session.get(BundleVersion, (code, content_hash)) if content_hash else None
            if row is not None:
                self._versions[key] = self._bundle(row)
                return self._versions[key]
        bundle = self.catalog().get(code)
        if bundle is None:
            raise LookupError(f"目录中没有套餐 {code}")
        return bundle
