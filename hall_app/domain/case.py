"""The case (办件) and its state machine, as a projection of its events.

``apply`` is pure: state + event → new state. Live writes and a rebuild from the
log go through the same function, so they cannot disagree. In strict mode an
illegal event raises :class:`CaseError` (the service refuses it before writing);
when replaying events that came from elsewhere, an event that no longer fits is
recorded as an anomaly and the case is flagged for review instead.

The state and its vocabulary live in case_state.py, the rules in case_rules.py, one
handler per event type in case_handlers.py; this module is their front door.
"""

from __future__ import annotations

import copy

from hall_app.domain.case_handlers import HANDLERS
from hall_app.domain.case_rules import require_started
from hall_app.domain.case_state import (  # noqa: F401 - the case vocabulary, re-exported
    APPLICANT_KEYS,
    DECISION_EVENTS,
    EDITABLE,
    HAND_OVER_METHODS,
    ITEM_FINAL,
    ITEM_STATUS_LABELS,
    MATERIAL_MARKS,
    PROXY_RELATIONS,
    RATING_LEVELS,
    RESULT_STATUSES,
    SLOT_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    CaseError,
    CaseState,
    review_lines,
    slot_of,
    stamp_base,
)
from hall_app.domain.events import Event


def apply(state: CaseState | None, event: Event, strict: bool = True) -> CaseState:
    """Return the state after ``event``; ``state`` is not modified."""
    new = CaseState(case_id=event.case_id) if state is None else copy.deepcopy(state)
    try:
        _apply(new, event)
    except Exception as exc:  # replay must never stop on one event (docs/sync.md)
        if strict and isinstance(exc, CaseError):
            raise
        if strict:  # a payload the rules cannot read: refuse it as a rule would
            raise CaseError(f"事件内容无法处理（{type(exc).__name__}）") from exc
        new = CaseState(case_id=event.case_id) if state is None else copy.deepcopy(state)
        why = exc if isinstance(exc, CaseError) else f"事件内容无法处理（{type(exc).__name__}: {str(exc)[:80]}）"
        new.anomalies.append(f"{str(event.type)[:40]}（{event.device_id}#{event.device_seq}）：{why}")
        new.needs_review = True
    new.version += 1
    if event.device_time:
        new.updated_at = event.device_time
    return new


def _apply(s: CaseState, e: Event) -> None:
    handler = HANDLERS.get(e.type)
    if handler is None:
        raise CaseError(f"未知的事件类型 {e.type}")
    if e.type != "case.started":
        require_started(s)
    if not isinstance(e.payload, dict):
        raise CaseError("事件内容格式有误")
    try:
        handler(s, e)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A payload that lacks a key or has the wrong shape (it came by sync from an
        # older or broken device): an anomaly, never a crash of replay.
        raise CaseError(f"事件内容不完整或格式有误（{type(exc).__name__}: {exc}）") from None


def replay(events: list[Event], strict: bool = False) -> CaseState | None:
    """The state after ``events`` in their (canonical) order.

    A case's ``case.started`` is applied first wherever it stands: after a server is
    restored from an old backup, another device's edits can reach the feed again before
    the start does, and every device must still get the same case.
    """
    start = next((i for i, e in enumerate(events) if e.type == "case.started"), 0)
    if start:
        events = [events[start], *events[:start], *events[start + 1:]]
    state: CaseState | None = None
    for event in events:
        state = apply(state, event, strict=strict)
    return state
