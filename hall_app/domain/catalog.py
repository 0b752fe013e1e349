"""The loaded catalog: look-up by code or name, and ranked search from a need's words."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hall_app.domain.bundle import Bundle
from hall_app.domain.text import clean

_STOP = set("我要想办个了的吗呢啊把给在和与及一件事")


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


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if not c.isspace() and c not in _STOP]
    return {a + b for a, b in zip(chars, chars[1:])} | set(chars)


class Catalog:
    def __init__(self, entries: Iterable[CatalogEntry]):
        self._entries = {e.bundle.code: e for e in entries}
        self._by_name = {clean(e.bundle.name): e.bundle.code for e in self._entries.values()}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
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

    def search(self, words: str, only_complete: bool = True, limit: int = 8) -> list[Suggestion]:
        """Rank bundles for a need in the citizen's words (生孩子了, 开火锅店, 退休)."""
        query = clean(words)
        if not query:
            return []
        terms = [t for t in query.split(" ") if t] or [query]
        grams = _bigrams(query)
        out: list[Suggestion] = []
        for bundle in self:
            if only_complete and not bundle.complete:
                continue
            score, why = 0, ""
            for term in terms:
                if term in (bundle.name, bundle.code):
                    score, why = max((score, why), (100, f"名称：{bundle.name}"))
                elif term in bundle.name or (len(bundle.name) >= 2 and bundle.name in term):
                    score, why = max((score, why), (70, f"名称：{bundle.name}"))
                for keyword in bundle.keywords:
                    if term == keyword:
                        score, why = max((score, why), (90, f"关键词：{keyword}"))
                    elif keyword in term or (len(term) >= 2 and term in keyword):
                        score, why = max((score, why), (60, f"关键词：{keyword}"))
                for item in bundle.items:
                    if len(term) >= 2 and (term in item.name or item.name in term):
                        score, why = max((score, why), (45, f"包含事项：{item.name}"))
            if score == 0:
                overlap = grams & _bigrams(bundle.name + "".join(bundle.keywords))
                pairs = [g for g in overlap if len(g) == 2]
                if pairs:
                    score, why = 10 * len(pairs), f"相近：{bundle.name}"
            if score:
                out.append(Suggestion(bundle, score, why))
        out.sort(key=lambda s: (-s.score, s.bundle.name))
        return out[:limit]
