"""Vectors for the queue's answers as JSON (hall_app/domain/queue_views.py): every view
back from its JSON form, unknown keys ignored, nested views rebuilt, and ``jsonable``
on each kind of value. Pure."""

from __future__ import annotations

import json

import pytest

from hall_app.domain.queue_replay import QueueEvent
from hall_app.domain.queue_views import (
    APPOINTMENT_STATE_LABELS,
    BoardView,
    CallView,
    LineView,
    TicketView,
    WindowView,
    from_dict,
    jsonable,
    to_dict,
)

TICKET = TicketView("T1", "A012", "A", "个人", "called", "已叫号", "2026-12-01", window="W01", cases=["C1"])
HELD = TicketView("T2", "A013", "A", "个人", "held", "挂起", "2026-12-01")
WINDOW = WindowView("W01", "1号", "open", "开放", {"A": 1}, own_skills={"B": 1},
                    schedule=[{"from": "09:00", "to": "10:00", "lines": {"A": 1}}], manual={"A": 1},
                    current=TICKET, waiting={"A": 3}, held=[HELD])
BOARD = BoardView("JJ01", "2026-12-01", "2026-12-01T10:00:00+08:00", 42, False,
                  calls=[CallView("A012", "W01", "1号", "A", "个人", "2026-12-01T10:00:00+08:00", True, 41)],
                  lines=[LineView("A", "个人", "A", True, waiting=3, estimate_minutes=None, bundles=["b"])],
                  windows=[WINDOW, WindowView("W02", "2号", "closed", "关闭", {})])


def test_from_dict_ignores_unknown_keys():
    assert from_dict(CallView, {"label": "A1", "window": "W", "window_name": "w", "line": "A", "line_name": "a",
                                "at": "t", "new_field": 1}) == CallView("A1", "W", "w", "A", "a", "t")
    with pytest.raises(TypeError):
        from_dict(CallView, {"label": "A1"})


def test_views_round_trip_through_json():
    assert WindowView.from_json(json.loads(json.dumps(to_dict(WINDOW)))) == WINDOW
    assert BoardView.from_json(json.loads(json.dumps(jsonable(BOARD)))) == BOARD
    bare = WindowView("W02", "2号", "closed", "关闭", {})
    assert WindowView.from_json({**to_dict(bare), "held": None, "extra": 1}) == bare
    assert BoardView.from_json({"hall": "H", "day": "d", "at": "a", "seq": 1, "calls": None, "lines": None,
                                "windows": None}) == BoardView("H", "d", "a", 1)


def test_jsonable():
    event = QueueEvent(1, "JJ01", "2026-12-01", "t", "queue.ticket_called", {"ticket": "T1"})
    assert jsonable([event, (1, "a")]) == [event.to_dict(), [1, "a"]]
    assert jsonable({"k": HELD, "n": None}) == {"k": to_dict(HELD), "n": None}
    assert jsonable(HELD)["cases"] == [] and jsonable("x") == "x" and jsonable(3.5) == 3.5
    assert jsonable(()) == []


def test_defaults_and_labels():
    line = LineView("A", "个人", "A", True)
    assert (line.waiting, line.priority_waiting, line.windows_serving, line.median_service, line.estimate_minutes,
            line.service_minutes, line.slot_minutes, line.slot_capacity, line.sort) == (0, 0, 0, 0.0, None, 10.0,
                                                                                         30, 4, 0)
    assert BoardView("H", "d", "a", 1).changed is True
    assert APPOINTMENT_STATE_LABELS == {"booked": "已预约", "checked_in": "已签到", "cancelled": "已取消",
                                        "missed": "未到"}


def test_jsonable_asks_an_object_for_its_own_form():
    class Own:
        def to_dict(self) -> dict:
            return {"own": True}

    assert jsonable([Own(), {"k": Own()}]) == [{"own": True}, {"k": {"own": True}}]
