"""The phrase test set (tests/data/search_phrases.tsv): at least 300 needs as citizens
say them, held apart from the keyword lists, and the accuracy the search reaches on
them (docs/search.md). The floors sit a little under what was reached, so a change
that makes the search worse fails here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bundles.loader import load_catalog
from hall_app.domain.need_search import normalise

PHRASES = Path(__file__).parent / "data" / "search_phrases.tsv"

# Reached (docs/search.md): all 98.0% / 100%, held-out third 98.3% / 100%.
FLOOR_TOP1, FLOOR_TOP3 = 0.96, 0.99
FLOOR_HELD_TOP1, FLOOR_HELD_TOP3 = 0.94, 0.98


def load_phrases() -> list[tuple[str, str, bool]]:
    rows = []
    for line in PHRASES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, code = line.split("\t")
        rows.append((phrase, code, len(rows) % 3 == 2))
    return rows


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def rows():
    return load_phrases()


def accuracy(catalog, rows) -> tuple[float, float, list]:
    top1 = top3 = 0
    misses = []
    for phrase, code, _held in rows:
        found = [s.bundle.code for s in catalog.search(phrase, only_complete=False, limit=8)]
        top1 += bool(found) and found[0] == code
        top3 += code in found[:3]
        if code not in found[:3]:
            misses.append((phrase, code, found[:3]))
    return top1 / len(rows), top3 / len(rows), misses


def test_the_set_is_large_and_covers_every_bundle_several_times(catalog, rows):
    assert len(rows) >= 300
    codes = {b.code for b in catalog}
    assert [code for _p, code, _h in rows if code not in codes] == []
    per_bundle = Counter(code for _p, code, _h in rows)
    assert [code for code in codes if per_bundle[code] < 3] == []
    assert len([p for p, _c, _h in rows if p.isascii()]) >= 10  # pinyin as clerks type it
    phrases = [normalise(p) for p, _c, _h in rows]
    assert [p for p, n in Counter(phrases).items() if n > 1] == []


def test_no_phrase_is_copied_into_a_keyword_list_or_is_a_bundle_name(catalog, rows):
    """A phrase that is itself a keyword (or a name) proves nothing about the search."""
    taken = {}
    for bundle in catalog:
        for word in [*bundle.keywords, bundle.name]:
            taken[normalise(word)] = bundle.code
    copied = [(p, taken[normalise(p)]) for p, _c, _h in rows if normalise(p) in taken]
    assert copied == []


def test_accuracy_stays_at_or_above_what_was_reached(catalog, rows):
    top1, top3, misses = accuracy(catalog, rows)
    assert top1 >= FLOOR_TOP1, (top1, misses)
    assert top3 >= FLOOR_TOP3, (top3, misses)


def test_held_out_accuracy_stays_at_or_above_what_was_reached(catalog, rows):
    top1, top3, misses = accuracy(catalog, [r for r in rows if r[2]])
    assert top1 >= FLOOR_HELD_TOP1, (top1, misses)
    assert top3 >= FLOOR_HELD_TOP3, (top3, misses)
