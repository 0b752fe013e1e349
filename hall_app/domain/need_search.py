"""Need-word search (智能导办): from what a citizen says, or what a clerk types in
pinyin, to ranked bundles.

How a bundle is scored (docs/search.md has the numbers):

* Each bundle has *terms*: its name (and the name's parts: 我要开火锅店（个体户） gives
  开火锅店, 火锅店, 个体户), its keywords (old seed names and how people say it), its
  item names and life stage (weaker). The summary is not used: it added no accuracy
  on the phrase set and most of the time.
* The query and every term are normalised the same way: half-width, lower case, no
  punctuation, and filler words removed (我要, 怎么办, 手续, 了 …), so 开个饭馆 and
  开饭馆 meet.
* A term found in the query covers those characters; the query typed inside a term
  (公租 in 公租房) covers the whole query; a shared run of two or more characters
  covers that run, with less credit the less of the term it is.
* Each query character weighs by how rare it is across the catalog (火 says more than
  开), and a bundle's score is the weighted share of the query it covers, plus a little
  for its single best term.
* Characters that match nowhere are retried by sound (同音字): 公组房 reads like 公租房.
* A query in Latin letters is read as pinyin: full (gongzufang), initials (gzf, xsecs)
  or a mix (gongzf), each syllable typed as any prefix of itself.

The pinyin side lives in hall_app/domain/pinyin_match.py; pypinyin is imported only
when a query needs it (Latin letters, or characters that match nowhere), so the
command line stays quick for plain words, and ``NeedIndex.prepare`` loads it ahead
of time for the screen that searches as the clerk types.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hall_app.domain.bundle import Bundle
from hall_app.domain.need_words import (  # noqa: F401 - the words' rules, re-exported
    FILLER_CHARS,
    FILLER_WORDS,
    SAME_WORDS,
    name_parts,
    normalise,
    strip_fillers,
)
from hall_app.domain.pinyin_match import abbrev, contextual, readings, sound, warm_up

_LATIN = re.compile(r"^[a-z]+$")
_INDIVIDUAL = "个体户"

# Field weights: how much a term of each kind is trusted.
W_NAME, W_KEYWORD, W_ITEM, W_STAGE = 1.0, 1.0, 0.6, 0.45
SOUND_FACTOR = 0.85  # a match by sound (homophone typo) counts a little less
KIND_LABEL = {"name": "名称", "keyword": "关键词", "item": "包含事项", "stage": "阶段"}


@dataclass
class Term:
    text: str  # as written in the bundle (shown in "why")
    kind: str  # name | keyword | item | stage
    weight: float
    key: str  # normalised, fillers removed: what is matched
    bigrams: frozenset[str]


@dataclass(frozen=True)
class Hit:
    bundle: Bundle
    score: int  # 0..100
    why: str
    differs: str = ""  # the one-line difference, when another close result competes


@dataclass
class _Match:
    cover: list[float]
    why: dict[int, tuple[tuple, str]] = field(default_factory=dict)  # term index → (credit, label)
    best: float = 0.0


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


# -- the index --------------------------------------------------------------------------------
class NeedIndex:
    """Terms of every bundle, with the look-ups one query needs."""

    def __init__(self, bundles: Iterable[Bundle]):
        self.bundles: list[Bundle] = list(bundles)
        self.terms: list[list[Term]] = [self._terms(b) for b in self.bundles]
        self._by_bigram: dict[str, set[tuple[int, int]]] = {}
        df: dict[str, int] = {}
        for bi, terms in enumerate(self.terms):
            seen: set[str] = set()
            for ti, term in enumerate(terms):
                for gram in term.bigrams:
                    self._by_bigram.setdefault(gram, set()).add((bi, ti))
                seen.update(term.key)
            for ch in seen:
                df[ch] = df.get(ch, 0) + 1
        self._by_first: dict[str, list[tuple[int, int]]] = {}
        for bi, terms in enumerate(self.terms):
            for ti, term in enumerate(terms):
                if len(term.key) <= 6:
                    self._by_first.setdefault(term.key[0], []).append((bi, ti))
        n = len(self.bundles)
        self._char_weight = {ch: 0.3 + math.log((n + 1) / (count + 1)) for ch, count in df.items()}
        self._twins = self._find_twins()
        self._sound_index: dict[str, set[tuple[int, int]]] | None = None
        self._sound_keys: dict[tuple[int, int], str] = {}
        self._syllables: list[list[tuple[Term, tuple[tuple[str, ...], ...], str]]] | None = None
        self._pinyin_starts: dict[str, list[tuple[int, int, int]]] = {}
        self._preparing: threading.Thread | None = None
        # the look-ups built on first use are built once: the screen's search thread and
        # the thread preparing them may both ask at once
        self._building = threading.RLock()

    @staticmethod
    def _terms(bundle: Bundle) -> list[Term]:
        raw: list[tuple[str, str, float]] = [(p, "name", W_NAME) for p in name_parts(bundle.name)]
        raw += [(k, "keyword", W_KEYWORD) for k in bundle.keywords]
        for item in bundle.items:
            raw += [(p, "item", W_ITEM) for p in name_parts(item.name)]
        raw.append((bundle.life_stage, "stage", W_STAGE))
        out: list[Term] = []
        seen: set[str] = set()
        for text, kind, weight in raw:
            shown = normalise(text)
            key = strip_fillers(shown)
            if len(key) < 2 or shown in seen:
                continue
            seen.add(shown)
            out.append(Term(text, kind, weight, key, frozenset(_bigrams(key))))
        return out

    def _find_twins(self) -> set[int]:
        """Indexes of bundles that have a 个体户 twin (我要开面馆 / 我要开面馆（个体户）)."""
        names = {b.name for b in self.bundles}
        return {i for i, b in enumerate(self.bundles) if f"{b.name}（{_INDIVIDUAL}）" in names}

    def prepare(self) -> None:
        """Load the pinyin tables and build the sound and spelling look-ups now."""
        warm_up()
        self._sounds()
        self._pinyin_terms()

    def prepare_in_background(self) -> None:
        """``prepare`` on a daemon thread, once: the screen that searches as the clerk
        types shows its list at once and the first pinyin or typo query does not wait."""
        if self._preparing is None:
            self._preparing = threading.Thread(target=self.prepare, name="need-search-pinyin", daemon=True)
            self._preparing.start()

    @property
    def ready(self) -> bool:
        """The pinyin and sound look-ups are built: no query waits for them."""
        return self._sound_index is not None and self._syllables is not None

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until the look-ups are built (preparing them in the background if nobody
        has started to); True once they are."""
        self.prepare_in_background()
        assert self._preparing is not None
        self._preparing.join(timeout)
        return self.ready

    # -- query ----------------------------------------------------------------------------------
    def search(self, words: str, limit: int = 8, keep: Callable[[Bundle], bool] | None = None) -> list[Hit]:
        """The best bundles for ``words``; waits for the pinyin tables if the query needs them."""
        return self._search(words, limit, keep, wait=True)[0]

    def search_now(self, words: str, limit: int = 8,
                   keep: Callable[[Bundle], bool] | None = None) -> tuple[list[Hit], bool]:
        """The best bundles for ``words`` without waiting for the pinyin tables, and whether
        that is the final answer. Before the tables are ready (their loading takes ~0.5 s of
        CPU, seconds on a busy machine) a query in characters is answered from the characters
        alone, and is final unless it needed the sound pass (homophone typos: 公组房); a
        pinyin query (gzf) has no answer yet. Ask again once :meth:`wait_ready` returns."""
        return self._search(words, limit, keep, wait=self.ready)

    def _search(self, words: str, limit: int, keep: Callable[[Bundle], bool] | None,
                wait: bool) -> tuple[list[Hit], bool]:
        raw = normalise(words)
        if not raw:
            return [], True
        latin = _LATIN.match(raw) is not None
        query = raw if latin else strip_fillers(raw)
        if not query:
            return [], True
        final = True
        if latin:
            if not wait:
                return [], False
            matches = self._match_pinyin(query)
            weights = [1.0] * len(query)
        else:
            weights = [self._char_weight.get(ch, 1.0) for ch in query]
            matches, final = self._match_text(query, weights, wait)
        return self._ranked(raw, matches, weights, limit, keep), final

    def _ranked(self, raw: str, matches: dict[int, _Match], weights: list[float], limit: int,
                keep: Callable[[Bundle], bool] | None) -> list[Hit]:
        scored: list[tuple[float, int, str]] = []
        total = sum(weights) or 1.0
        wants_individual = "个体" in raw or "个人户" in raw
        for bi, match in matches.items():
            if keep is not None and not keep(self.bundles[bi]):
                continue
            coverage = sum(w * c for w, c in zip(weights, match.cover)) / total
            value = 0.85 * coverage + 0.15 * match.best
            name = self.bundles[bi].name
            if name.endswith(f"（{_INDIVIDUAL}）") and not wants_individual:
                value -= 0.03  # a shop without 个体户 said: the company form first
            elif bi in self._twins and wants_individual:
                value -= 0.03
            label = max(match.why.values())[1] if match.why else ""
            scored.append((value, bi, label))
        if not scored:
            return []
        scored.sort(key=lambda s: (-s[0], not self.bundles[s[1]].complete, self.bundles[s[1]].code))
        top = scored[0][0]
        floor = max(0.12, 0.45 * top)
        kept = [s for s in scored if s[0] >= floor][:limit]
        # Look-alikes: near the top, or a little further in the same life stage (企业注销 ×3).
        stage = self.bundles[scored[0][1]].life_stage
        close = {bi for value, bi, _ in kept
                 if value >= top - 0.15 or (value >= top - 0.4 and self.bundles[bi].life_stage == stage)}
        hits = []
        for value, bi, label in kept:
            bundle = self.bundles[bi]
            differs = (bundle.differs or "") if len(close) > 1 and bi in close else ""
            hits.append(Hit(bundle, max(1, min(100, round(100 * value))), label, differs))
        return hits

    def _match_text(self, query: str, weights: list[float], wait: bool = True) -> tuple[dict[int, _Match], bool]:
        """Matches by characters (then by sound when those are weak); and False when the
        sound pass was needed but skipped (``wait`` False and its look-up not built yet)."""
        matches: dict[int, _Match] = {}
        self._text_pass(query, self._by_bigram, lambda bi, ti: self.terms[bi][ti].key, 1.0, "", matches)
        if len(query) == 1:
            for bi, terms in enumerate(self.terms):
                for ti, term in enumerate(terms):
                    if query in term.key:
                        self._credit(matches, bi, ti, len(query), [(0, 1)], term.weight * 0.6, "")
        self._gapped(query, matches)
        if self._needs_sound(query, weights, matches):
            if not wait:
                return matches, False
            sound_query = sound(query)
            self._text_pass(sound_query, self._sounds(), lambda bi, ti: self._sound_keys[(bi, ti)],
                            SOUND_FACTOR, "（同音）", matches)
        return matches, True

    def _gapped(self, query: str, matches: dict[int, _Match]) -> None:
        """A short term whose characters come in order with a few others between
        (妈走 in 妈昨天走): covers those characters, with less credit."""
        present = set(query)
        for ch in present:
            for bi, ti in self._by_first.get(ch, ()):
                key = self.terms[bi][ti].key
                if key[-1] not in present or key in query:
                    continue
                for start in (i for i, c in enumerate(query) if c == ch):
                    positions, at = [start], start
                    for c in key[1:]:
                        at = query.find(c, at + 1)
                        if at < 0 or at - start >= len(key) + 4:
                            break
                        positions.append(at)
                    else:
                        spans = [(p, p + 1) for p in positions]
                        self._credit(matches, bi, ti, len(query), spans, self.terms[bi][ti].weight * 0.7, "")
                        break

    def _needs_sound(self, query: str, weights: list[float], matches: dict[int, _Match]) -> bool:
        if len(query) < 2:
            return False
        total = sum(weights) or 1.0
        best = max((sum(w * c for w, c in zip(weights, m.cover)) / total for m in matches.values()), default=0.0)
        return best < 0.95

    def _text_pass(self, query: str, index: dict[str, set[tuple[int, int]]], key_of: Callable[[int, int], str],
                   factor: float,
                   suffix: str, matches: dict[int, _Match]) -> None:
        grams = [query[i:i + 2] for i in range(len(query) - 1)]
        candidates: set[tuple[int, int]] = set()
        for gram in set(grams):
            candidates |= index.get(gram, set())
        for bi, ti in candidates:
            term = self.terms[bi][ti]
            key = key_of(bi, ti)
            if not key:
                continue
            spans = self._spans(query, grams, key)
            if not spans:
                continue
            for start, end in spans:
                length = end - start
                if length == len(key):
                    quality = term.weight  # the whole term is in what was said
                elif start == 0 and end == len(query):
                    quality = term.weight * (0.7 + 0.3 * length / len(key))  # typed inside a term
                else:
                    quality = term.weight * (0.35 + 0.5 * length / len(key))
                self._credit(matches, bi, ti, len(query), [(start, end)], quality * factor, suffix)

    @staticmethod
    def _spans(query: str, grams: list[str], key: str) -> list[tuple[int, int]]:
        """Runs of the query (two characters or more) that occur in the term."""
        spans: list[tuple[int, int]] = []
        i = 0
        while i < len(grams):
            if grams[i] not in key:
                i += 1
                continue
            j = i
            while j + 1 < len(grams) and query[i:j + 3] in key:
                j += 1
            spans.append((i, j + 2))
            i = j + 1
        return spans

    def _credit(self, matches: dict[int, _Match], bi: int, ti: int, size: int, spans: list[tuple[int, int]],
                quality: float,
                suffix: str) -> None:
        match = matches.get(bi)
        if match is None:
            match = matches[bi] = _Match([0.0] * size)
        term = self.terms[bi][ti]
        covered = 0
        for start, end in spans:
            covered += end - start
            for pos in range(start, end):
                match.cover[pos] = max(match.cover[pos], quality)
        match.best = max(match.best, quality)
        # "why": the single term that explains most of the query, best quality first
        credit = (quality * covered, quality, len(term.key), -ti)  # ties: the term listed first
        previous = match.why.get(ti)
        if previous is None or credit > previous[0]:
            match.why[ti] = (credit, f"{KIND_LABEL[term.kind]}：{self._shown(term)}{suffix}")

    @staticmethod
    def _shown(term: Term) -> str:
        return term.text if len(term.text) <= 24 else term.text[:23] + "…"

    def _sounds(self) -> dict[str, set[tuple[int, int]]]:
        if self._sound_index is None:
            with self._building:
                return self._build_sounds()
        return self._sound_index

    def _build_sounds(self) -> dict[str, set[tuple[int, int]]]:
        if self._sound_index is None:
            index: dict[str, set[tuple[int, int]]] = {}
            for bi, terms in enumerate(self.terms):
                for ti, term in enumerate(terms):
                    key = sound(term.key)
                    self._sound_keys[(bi, ti)] = key
                    for gram in _bigrams(key):
                        index.setdefault(gram, set()).add((bi, ti))
            self._sound_index = index
        return self._sound_index

    def _match_pinyin(self, query: str) -> dict[int, _Match]:
        matches: dict[int, _Match] = {}
        if len(query) < 2:
            return matches
        entries = self._pinyin_terms()
        best: dict[tuple[int, int], float] = {}
        for bi, ti, start in self._pinyin_starts.get(query[:2], ()):
            syllables = entries[bi][ti][1]
            spelled = abbrev(query, syllables, start)
            if not spelled:
                continue
            share = spelled / len(syllables)
            if start == 0 and spelled == len(syllables):
                value = 1.0
            elif start == 0:
                value = 0.6 + 0.35 * share
            else:
                value = 0.45 + 0.35 * share
            best[(bi, ti)] = max(best.get((bi, ti), 0.0), value)
        if len(query) > 4:
            for bi, terms in enumerate(entries):
                for ti, (_term, _syllables, full) in enumerate(terms):
                    if len(full) >= 4 and full in query and full != query:  # woyaokaihuoguodian
                        value = 0.4 + 0.5 * len(full) / len(query)
                        best[(bi, ti)] = max(best.get((bi, ti), 0.0), value)
        for (bi, ti), value in best.items():
            term = self.terms[bi][ti]
            self._credit(matches, bi, ti, len(query), [(0, len(query))], value * term.weight, "（拼音）")
        return matches

    def _pinyin_terms(self) -> list[list[tuple[Term, tuple[tuple[str, ...], ...], str]]]:
        """Per term: its syllables (each with every reading, the contextual one first) and
        its full pinyin; and, per first two letters, where a spelling may start."""
        if self._syllables is None:
            with self._building:
                return self._build_pinyin_terms()
        return self._syllables

    def _build_pinyin_terms(self) -> list[list[tuple[Term, tuple[tuple[str, ...], ...], str]]]:
        if self._syllables is None:
            out = []
            starts: dict[str, list[tuple[int, int, int]]] = {}
            for bi, terms in enumerate(self.terms):
                entries: list[tuple[Term, tuple[tuple[str, ...], ...], str]] = []
                for ti, term in enumerate(terms):
                    text = normalise(term.text)
                    if not text:
                        entries.append((term, (), ""))
                        continue
                    context = contextual(text)
                    syllables = tuple((c,) + tuple(r for r in readings(ch) if r != c)
                                      for c, ch in zip(context, text))
                    entries.append((term, syllables, "".join(context)))
                    for start, options in enumerate(syllables):
                        following = syllables[start + 1] if start + 1 < len(syllables) else ()
                        heads = {r[:2] for r in options if len(r) >= 2}
                        heads |= {r[0] + n[0] for r in options for n in following}
                        for head in heads:
                            starts.setdefault(head, []).append((bi, ti, start))
                out.append(entries)
            self._pinyin_starts = starts
            self._syllables = out
        return self._syllables
