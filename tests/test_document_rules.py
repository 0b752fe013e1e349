"""Which documents a case's decision produces, and in which statuses each may be printed:
one home in the domain (hall_app/domain/documents.py) for the screens (print after a
decision, reprint from the case view) and the document service."""

from __future__ import annotations

import pytest

from hall_app.domain.case import STATUS_LABELS, CaseState
from hall_app.domain.documents import DOCUMENT_KINDS, PRINTABLE_IN, documents_for
from tests.test_case_rules import PATHS, at

PROXY = {"name": "赵小红", "relation": "子女", "id_number": ""}
EXPECTED = {
    "draft": [], "voided": [],
    "notice_issued": ["notice"],
    "refused": ["refusal"],
    "accepted": ["receipt"], "dispatched": ["receipt"], "completed": ["receipt"], "handed_over": ["receipt"],
    "rated": ["receipt"],
    "accepted_deferred": ["receipt", "commitment"],
}


@pytest.mark.parametrize("status", sorted(PATHS))
def test_documents_of_each_status(status):
    state = at(status)
    assert documents_for(state) == EXPECTED[status]
    state.proxy = PROXY
    with_proxy = EXPECTED[status] + (["authorisation"] if EXPECTED[status][:1] == ["receipt"] else [])
    assert documents_for(state) == with_proxy


def test_the_decision_decides_after_the_case_moves_on():
    refused_then_rated = CaseState(case_id="c", status="rated", decision={"type": "case.refused"}, proxy=PROXY)
    assert documents_for(refused_then_rated) == ["refusal"]  # no receipt and no authorisation for a refusal
    deferred_then_done = CaseState(case_id="c", status="completed", decision={"type": "case.accepted_deferred"})
    assert documents_for(deferred_then_done) == ["receipt", "commitment"]


def test_no_document_the_document_service_would_refuse():
    """Two disagreements between the screens' list and the service's rule, found when they
    became one: the screens offered documents that printing then refused."""
    supplied = at("accepted_deferred", ("case.deferred_supplied", {"material": "m1"}),
                  ("case.deferred_supplied", {"material": "m2"}))
    assert supplied.status == "accepted" and supplied.decision["type"] == "case.accepted_deferred"
    assert documents_for(supplied) == ["receipt"]  # the commitment is fulfilled
    voided = at("accepted_deferred", ("case.voided", {"reason": "重复受理"}))
    assert voided.status == "voided" and documents_for(voided) == []


@pytest.mark.parametrize("status", sorted(STATUS_LABELS))
def test_every_document_a_decision_produces_may_be_printed_in_that_status(status):
    for decision in ("", "case.accepted", "case.accepted_deferred", "case.refused"):
        state = CaseState(case_id="c", status=status, decision={"type": decision} if decision else {}, proxy=PROXY)
        for kind in documents_for(state):
            allowed = PRINTABLE_IN[kind]
            assert allowed is None or status in allowed, (status, decision, kind)


def test_every_document_kind_has_its_statuses():
    assert set(PRINTABLE_IN) == set(DOCUMENT_KINDS)
    assert all(set(s) <= set(STATUS_LABELS) for s in PRINTABLE_IN.values() if s is not None)


@pytest.mark.parametrize("status", sorted(STATUS_LABELS))
def test_a_counter_line_is_editable_exactly_when_the_case_is(status):
    from hall_app.domain.case import EDITABLE
    from hall_app.services.counter import CaseLine

    line = CaseLine("c", "T", "b", status, *[""] * 7)
    assert line.editable is (status in EDITABLE)
