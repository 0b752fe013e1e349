"""The loaded catalog (hall_app/domain/catalog.py) over three hand-made bundles, vector by
vector (docs/mutation.md): look-up by code or name as typed, the complete ones, the need
index built once, and search handing on only what is asked for. The ranking itself is
need_search.py's (tests/test_search.py)."""

from __future__ import annotations

from typing import Any

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.catalog import Catalog, CatalogEntry, Suggestion


def bundle(code: str, name: str, complete: bool, **extra: Any) -> Bundle:
    return Bundle.model_validate({
        "code": code, "name": name, "kind": "个人", "lead_department": "部门", "source": "test",
        "version": 1, "complete": complete, "life_stage": "出生", **extra,
        "items": [{"code": "i1", "name": "事项", "department": "部门", "statutory_days": 5, "promised_days": 3,
                   "output": "结果"}],
        "materials": [{"code": "m1", "name": "材料", "spec": "规格", "items": ["i1"]}],
        "fields": [{"key": "f1", "label": "姓名"}],
    })


NEWBORN = bundle("newborn", "新生儿出生", True, keywords=["生孩子"], differs="新生儿落户")
BIRTH_CERT = bundle("birth_cert", "出生医学证明补办", False, keywords=["出生证丢了"], differs="证明丢了补办")
RETIRE = bundle("retire", "退休", True, keywords=["退休手续"], life_stage="养老")
ENTRIES = [CatalogEntry(NEWBORN, "h1", "newborn.toml"), CatalogEntry(BIRTH_CERT, "h2"), CatalogEntry(RETIRE, "h3")]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(ENTRIES)


def test_size_order_and_entries(catalog: Catalog) -> None:
    assert len(catalog) == 3 and len(Catalog([])) == 0
    assert [b.code for b in catalog] == ["newborn", "birth_cert", "retire"]
    assert catalog.complete() == [NEWBORN, RETIRE]
    assert CatalogEntry(NEWBORN, "h").source_file == ""
    assert catalog.entry("newborn") == ENTRIES[0] and catalog.entry("birth_cert") == ENTRIES[1]
    # the later entry with a code wins
    again = CatalogEntry(NEWBORN, "h9")
    assert Catalog([*ENTRIES, again]).entry("newborn") == again and len(Catalog([*ENTRIES, again])) == 3


@pytest.mark.parametrize(("typed", "code"), [
    ("newborn", "newborn"), ("  newborn \n", "newborn"), ("新生儿出生", "newborn"), (" 新生儿出生 ", "newborn"),
    ("出生医学证明补办", "birth_cert"), ("退休", "retire"), ("retire", "retire"),
    ("新生儿", None), ("Newborn", None), ("", None), ("nothing", None), ("新生儿  出生", None),
])
def test_look_up_by_code_or_name(catalog: Catalog, typed: str, code: str | None) -> None:
    entry = catalog.entry(typed)
    assert (entry.bundle.code if entry else None) == code
    got = catalog.get(typed)
    assert (got.code if got else None) == code


def test_a_name_with_blanks_is_found_as_typed_with_other_blanks() -> None:
    spaced = Catalog([CatalogEntry(bundle("spaced", "出生 登记", True), "h")])
    assert spaced.get("出生   登记") is not None and spaced.get("出生登记") is None


def test_the_need_index_is_built_once(catalog: Catalog) -> None:
    index = catalog.need_index
    assert index is catalog.need_index and index.bundles == [NEWBORN, BIRTH_CERT, RETIRE]


def test_search_keeps_only_complete_bundles_unless_asked(catalog: Catalog) -> None:
    hits = catalog.search("出生")
    assert [s.bundle.code for s in hits] == ["newborn"]
    every = catalog.search("出生", only_complete=False)
    assert {s.bundle.code for s in every} == {"newborn", "birth_cert"}
    assert [s.bundle for s in catalog.search("出生", only_complete=False, limit=1)] == [every[0].bundle]
    assert catalog.search("") == [] and catalog.search("火箭") == []


def test_a_suggestion_carries_the_hit(catalog: Catalog) -> None:
    for words in ("生孩子", "退休", "出生"):
        hits = catalog.need_index.search(words, limit=8, keep=lambda b: b.complete)
        assert catalog.search(words) == [Suggestion(h.bundle, h.score, h.why, h.differs) for h in hits]
        assert hits and all(h.why for h in hits)
    default = catalog.need_index.search("出生", limit=8, keep=None)
    assert catalog.search("出生", only_complete=False) == [
        Suggestion(h.bundle, h.score, h.why, h.differs) for h in default]
    assert {s.differs for s in catalog.search("出生", only_complete=False)} == {"新生儿落户", "证明丢了补办"}
    assert Suggestion(NEWBORN, 1, "因为").differs == ""


def test_the_default_limit_is_eight() -> None:
    many = Catalog([CatalogEntry(bundle(f"b{k}", f"出生登记{k}", True), f"h{k}") for k in range(10)])
    assert len(many.search("出生登记")) == 8
    assert len(many.search("出生登记", limit=10)) == 10
