"""`documents_for` vector by vector (docs/mutation.md): a bare `CaseState` built by hand
(status, decision, proxy, items) and the exact list of documents, in printing order.

`test_document_rules.py` walks real event paths, where the status and the decision always
agree; these vectors also take each apart (a status whose decision is not stored, a
decision the case has moved on from) and add items accepted on a commitment (告知承诺).
"""

from __future__ import annotations

from typing import Any

import pytest

from hall_app.domain.case import CaseState
from hall_app.domain.documents import documents_for

PROXY = {"name": "赵小红", "relation": "子女", "id_number": ""}
PLAIN = {"i1": {"status": "pending"}}
PROMISED = {"i1": {"status": "pending"}, "i2": {"status": "pending", "commitment": True}}
NOT_PROMISED = {"i1": {"status": "pending", "commitment": False}, "i2": {"status": "pending", "commitment": ""}}

VECTORS: list[tuple[str, str, bool, dict[str, Any], list[str]]] = [
    # status, decision type ("" = none stored), proxy, items, documents
    ("draft", "", True, PROMISED, []),
    ("voided", "case.accepted", True, PROMISED, []),
    ("notice_issued", "", True, PROMISED, ["notice"]),
    ("notice_issued", "case.refused", False, {}, ["notice"]),  # the status comes first
    # the status alone, no decision stored
    ("refused", "", False, {}, ["refusal"]),
    ("refused", "", True, PROMISED, ["refusal"]),  # no authorisation, no pledge for a refusal
    ("accepted_deferred", "", False, {}, ["receipt", "commitment"]),
    ("accepted_deferred", "", True, {}, ["receipt", "commitment", "authorisation"]),
    ("accepted", "", False, PLAIN, ["receipt"]),
    # the decision alone, once the case moved on
    ("rated", "case.refused", True, PROMISED, ["refusal"]),
    ("handed_over", "case.refused", False, PROMISED, []),  # a refusal is not printable there
    ("completed", "case.accepted_deferred", False, {}, ["receipt", "commitment"]),
    ("rated", "case.accepted_deferred", True, PROMISED, ["receipt", "commitment", "authorisation", "pledge"]),
    # 告知承诺: a pledge beside a receipt, after the authorisation
    ("accepted", "case.accepted", False, PROMISED, ["receipt", "pledge"]),
    ("accepted", "case.accepted", True, PROMISED, ["receipt", "authorisation", "pledge"]),
    ("dispatched", "case.accepted", False, PROMISED, ["receipt", "pledge"]),
    ("accepted", "case.accepted", True, NOT_PROMISED, ["receipt", "authorisation"]),
    ("accepted", "case.accepted", False, PLAIN, ["receipt"]),
    # a deferral's pledge waits: the pledge is not printable while materials are due
    ("accepted_deferred", "case.accepted_deferred", False, PROMISED, ["receipt", "commitment"]),
    ("terminated", "case.accepted", False, PROMISED, []),  # no receipt: nothing is produced
]


@pytest.mark.parametrize(("status", "decision", "proxy", "items", "expected"), VECTORS)
def test_documents_for(status: str, decision: str, proxy: bool, items: dict[str, Any], expected: list[str]) -> None:
    state = CaseState(case_id="c", status=status, decision={"type": decision} if decision else {},
                      proxy=PROXY if proxy else None, items={k: dict(v) for k, v in items.items()})
    assert documents_for(state) == expected
