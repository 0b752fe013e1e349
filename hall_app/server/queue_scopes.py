"""The queue's endpoints and which scope kinds may call each (merged into the one
table in hall_app/server/scopes.py). The rules of the issue: a kiosk only issues
tickets (and reads the lines it offers, reserves and uploads its offline numbers); a
display only reads the board; a rate pad (``pad:HALL/W03``) only reads its window's
last finished visit and rates it; a window device calls only for its own window (checked
in the queue code: Actor.may_act_for); a hall device (the supervisor's) does all.
"""

from __future__ import annotations

QUEUE_ENDPOINTS: dict[str, str] = {
    "queue_lines": "GET /v1/queue/lines",
    "queue_windows": "GET /v1/queue/windows",
    "queue_window": "GET /v1/queue/windows/{window}",
    "queue_board": "GET /v1/queue/board",
    "queue_waiting": "GET /v1/queue/tickets",
    "queue_ticket": "GET /v1/queue/tickets/{ref}",
    "queue_suggestions": "GET /v1/queue/suggestions",
    "queue_live": "GET /v1/queue/live",
    "queue_events": "GET /v1/queue/events",
    "queue_issue": "POST /v1/queue/tickets",
    "queue_checkin": "POST /v1/queue/checkin",
    "queue_call_next": "POST /v1/queue/windows/{window}/call-next",
    "queue_call": "POST /v1/queue/windows/{window}/call",
    "queue_act": "POST /v1/queue/windows/{window}/act",
    "queue_link_case": "POST /v1/queue/windows/{window}/cases",
    "queue_window_state": "POST /v1/queue/windows/{window}/state",
    "queue_switch": "POST /v1/queue/windows/{window}/switch",
    "queue_leave": "POST /v1/queue/tickets/{ref}/leave",
    "queue_appointments": "GET /v1/queue/appointments",
    "queue_book": "POST /v1/queue/appointments",
    "queue_cancel": "POST /v1/queue/appointments/{code}/cancel",
    "queue_import": "POST /v1/queue/appointments/import",
    "queue_set_line": "PUT /v1/queue/lines/{line}",
    "queue_set_window": "PUT /v1/queue/windows/{window}",
    "queue_close_day": "POST /v1/queue/close-day",
    "queue_blocks": "POST /v1/queue/blocks",
    "queue_offline": "POST /v1/queue/offline",
    "queue_last_visit": "GET /v1/queue/windows/{window}/visit",
    "queue_rate_visit": "POST /v1/queue/windows/{window}/visit/rating",
    "queue_visit_follow_ups": "GET /v1/queue/visit-follow-ups",
    "queue_visit_follow_up": "POST /v1/queue/visit-follow-ups/{ticket}",
    "queue_position": "GET /q/{ticket}",
    "queue_position_json": "GET /q/{ticket}.json",
}
QUEUE_PUBLIC = frozenset({"queue_position", "queue_position_json"})

_READ = {"queue_lines", "queue_windows", "queue_window", "queue_board"}
_WINDOW = _READ | {"queue_live", "queue_waiting", "queue_ticket", "queue_suggestions", "queue_events", "queue_issue",
                   "queue_checkin", "queue_call_next", "queue_call", "queue_act", "queue_link_case",
                   "queue_window_state", "queue_switch", "queue_leave", "queue_appointments", "queue_book",
                   "queue_cancel", "queue_last_visit", "queue_rate_visit"}
QUEUE_ACCESS: dict[str, frozenset[str]] = {
    "hall": frozenset(_WINDOW | {"queue_import", "queue_set_line", "queue_set_window", "queue_close_day",
                                 "queue_visit_follow_ups", "queue_visit_follow_up"}),
    "window": frozenset(_WINDOW),
    "kiosk": frozenset({"queue_lines", "queue_issue", "queue_checkin", "queue_blocks", "queue_offline"}),
    "display": frozenset(_READ),
    # the window's rate pad (issue 11): its window's last finished visit, and its rating
    "pad": frozenset({"queue_last_visit", "queue_rate_visit"}),
    # the supervisor's live hall (issue 11): reads it, and accepts a tidal switch
    # and follows up the bad visit ratings
    "supervisor": frozenset(_READ | {"queue_live", "queue_suggestions", "queue_switch", "queue_visit_follow_ups",
                                     "queue_visit_follow_up"}),
}
