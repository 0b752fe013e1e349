"""The loaded catalog: look-up by code or name, and ranked search from a need's words."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hall_app.domain.bundle import Bundle
from hall_app.domain.need_search import NeedIndex
from hall_app.domain.text import clean


@dataclass(frozen=True)
class CatalogEntry:
    bundle: Bundle
    content_hash: str
    source_file: str = ""


@dataclass(frozen=True)
class Suggestion:
    bundle: Bundle
    score: int
    why: str
    differs: str = ""  # one-line difference, shown when another close result competes


class Catalog:
    def __init__(self, entries: Iterable[CatalogEntry]):
        self._entries = {e.bundle.code: e for e in entries}
        self._by_name = {clean(e.bundle.name): e.bundle.code for e in self._entries.values()}
        self._need_index: NeedIndex | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Bundle]:
        return iter(e.bundle for e in self._entries.values())

    def entry(self, code_or_name: str) -> CatalogEntry | None:
        key = clean(code_or_name)
        code = key if key in self._entries else self._by_name.get(key)
        return self._entries.get(code) if code else None

    def get(self, code_or_name: str) -> Bundle | None:
        entry = self.entry(code_or_name)
        return entry.bundle if entry else None

    def complete(self) -> list[Bundle]:
        return [b for b in self if b.complete]

    @property
    def need_index(self) -> NeedIndex:
        if self._need_index is None:
            self._need_index = NeedIndex(self)
        return self._need_index

    def search(self, words: str, only_complete: bool = True, limit: int = 8) -> list[Suggestion]:
        """Rank bundles for a need in the citizen's words (生孩子了, 开火锅店, 退休), their
        old or seed names, or pinyin (xsecs, gongzufang). ``only_complete`` leaves out
        bundles that cannot be taken yet; see hall_app/domain/need_search.py."""
        keep = (lambda b: b.complete) if only_complete else None
        return [Suggestion(h.bundle, h.score, h.why, h.differs)
                for h in self.need_index.search(words, limit=limit, keep=keep)]
