"""The hall queue's rules (取号 / 叫号): ticket and window states, which action is legal
from which state, ticket numbers, and the priority ratio. Pure: no I/O, no clock.

The queue's authority is the server (hall_app/server/queue_store.py): it loads a
ticket or window, asks :func:`ticket_after` / :func:`window_after` whether the action
is legal and what the new state is, and writes it back under a row lock or a
compare-and-set on ``version``. The same functions fold the event log back into the
state (:mod:`hall_app.domain.queue_replay`), so the live rows and a replay agree.

Every refusal is a :class:`QueueError` with a Chinese message the screens show as is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

# -- ticket states -------------------------------------------------------------------------
WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
HELD = "held"
FINISHED = "finished"
NO_SHOW = "no_show"
LEFT = "left"
EXPIRED = "expired"  # still waiting (or being served) when the day was closed

FINAL_STATES = frozenset({FINISHED, NO_SHOW, LEFT, EXPIRED})
OPEN_STATES = frozenset({WAITING, CALLED, SERVING, HELD})
TICKET_STATES = OPEN_STATES | FINAL_STATES

STATE_LABELS = {
    WAITING: "等候中", CALLED: "已叫号", SERVING: "办理中", HELD: "挂起", FINISHED: "已办结",
    NO_SHOW: "过号", LEFT: "已离开", EXPIRED: "闭厅未办",
}

# action -> (states it may start from, state it leads to; None = stays / decided by the action)
TICKET_ACTIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "call": (frozenset({WAITING, HELD}), CALLED),
    "recall": (frozenset({CALLED}), CALLED),
    "serve": (frozenset({CALLED}), SERVING),
    "hold": (frozenset({CALLED, SERVING}), HELD),
    "transfer": (frozenset({WAITING, CALLED, SERVING, HELD}), WAITING),
    "finish": (frozenset({SERVING}), FINISHED),
    "no_show": (frozenset({CALLED}), NO_SHOW),
    "leave": (frozenset({WAITING, HELD}), LEFT),
    "expire": (OPEN_STATES, EXPIRED),
}
ACTION_LABELS = {
    "call": "叫号", "recall": "重呼", "serve": "开始办理", "hold": "挂起", "transfer": "转移", "finish": "办结",
    "no_show": "过号", "leave": "离开", "expire": "闭厅",
}

# -- window states ---------------------------------------------------------------------------
W_CLOSED = "closed"
W_OPEN = "open"
W_PAUSED = "paused"
WINDOW_STATE_LABELS = {W_CLOSED: "关闭", W_OPEN: "开放", W_PAUSED: "暂停"}
WINDOW_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "open": (frozenset({W_CLOSED, W_PAUSED}), W_OPEN),
    "pause": (frozenset({W_OPEN}), W_PAUSED),
    "close": (frozenset({W_OPEN, W_PAUSED}), W_CLOSED),
}

PRIORITY_KINDS = ("老年人", "残疾人", "孕妇", "军人及优抚对象", "其他")
SOURCES = ("kiosk", "window", "appointment", "offline", "cli", "simulation")


class QueueError(Exception):
    """A queue action refused; the message (Chinese) says why. Nothing was changed."""

    def __init__(self, message: str, code: str = "refused", status: int = 409):
        super().__init__(message)
        self.code = code  # refused / not_found / empty / scope / invalid
        self.status = status


class QueueOffline(QueueError):
    """The queue's server cannot be reached (the screens say so and go on locally)."""

    def __init__(self, message: str = "无法连接排队服务器"):
        super().__init__(message, "offline", 503)


@dataclass(frozen=True)
class Policy:
    """The queue's settings for a hall (defaults; a hall may change them)."""

    priority_ratio: tuple[int, int] = (2, 1)  # priority : normal calls when both wait
    max_recalls: int = 3  # recalls after the first call; the next one is a no-show
    grace_minutes: int = 15  # appointment check-in: this long before or after the slot
    default_service_minutes: float = 10.0  # estimated service time before any visit ends today
    block_size: int = 50  # numbers a kiosk reserves for working offline
    suggest_wait_minutes: float = 20.0  # a line this long in estimated wait, with idle windows elsewhere
    rolling_services: int = 20  # the median service time is over the last N visits of the line today


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Ticket:
    ticket: str  # the ticket's id (random, also the position page's address /q/{ticket})
    hall: str
    day: str  # ISO date of the hall day it belongs to
    line: str
    prefix: str
    number: int
    priority: str = ""  # "" or one of PRIORITY_KINDS
    state: str = WAITING
    window: str = ""  # the window that called it last
    target_window: str = ""  # transferred to one window: only that window may call it
    sort_at: str = ""  # its place in the line: issue time, or the appointment's slot time
    issued_at: str = ""
    called_at: str = ""  # first call
    serving_at: str = ""
    ended_at: str = ""
    calls: int = 0  # calls including recalls
    source: str = "kiosk"
    appointment: str = ""
    id_number: str = ""  # a ticket taken by ID or appointment (prefill only; never shown publicly)
    name: str = ""
    version: int = 0

    @property
    def label(self) -> str:
        return ticket_label(self.prefix, self.number)

    @property
    def is_priority(self) -> bool:
        return bool(self.priority)

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class Window:
    window: str
    hall: str
    name: str = ""
    state: str = W_CLOSED
    skills: dict[str, int] = field(default_factory=dict)  # line -> rank (1 first)
    schedule: tuple["ScheduleEntry", ...] = ()
    manual: dict[str, int] | None = None  # a supervisor's switch for the day (None: schedule)
    manual_day: str = ""
    current: str = ""  # the ticket called or being served here
    streak: int = 0  # position in the priority ratio cycle
    version: int = 0


@dataclass(frozen=True)
class ScheduleEntry:
    start: str  # "09:00"
    end: str  # "11:00" (exclusive)
    skills: dict[str, int]


def ticket_label(prefix: str, number: int) -> str:
    """A001 … A999, then A1000: numbers restart each day per prefix."""
    return f"{prefix}{number:03d}"


def parse_label(text: str) -> tuple[str, int] | None:
    """``A012`` / ``a12`` / ``Ａ０１２`` → ("A", 12); None if it is not a ticket number."""
    from hall_app.domain.text import to_halfwidth

    raw = to_halfwidth(text).strip().upper()
    prefix = raw.rstrip("0123456789")
    digits = raw[len(prefix):]
    if not prefix or not digits or not prefix.isascii() or not prefix.isalpha() or len(prefix) > 4 \
            or len(digits) > 6:
        return None
    return prefix, int(digits)


def ticket_after(ticket: Ticket, action: str, *, window: str = "", now: str = "",
                 policy: Policy = DEFAULT_POLICY, to_line: str = "", to_window: str = "") -> Ticket:
    """The ticket after ``action`` by ``window`` at ``now``, or QueueError (nothing changes).

    ``recall`` beyond ``policy.max_recalls`` makes the ticket a no-show (the result
    says so: state NO_SHOW)."""
    rule = TICKET_ACTIONS.get(action)
    if rule is None:
        raise QueueError(f"未知的排队操作“{action[:20]}”", "invalid", 422)
    allowed, target = rule
    if action in ("recall", "serve", "hold", "finish", "no_show") and ticket.state in (CALLED, SERVING, HELD) \
            and ticket.window and window and ticket.window != window:
        raise QueueError(f"{ticket.label} 号由 {ticket.window} 窗口叫号，本窗口（{window}）不能{ACTION_LABELS[action]}",
                         "refused", 409)
    if ticket.state not in allowed:
        raise QueueError(_illegal(ticket, action), "refused", 409)
    if action == "call":
        if ticket.state == HELD and ticket.window and window and ticket.window != window:
            raise QueueError(f"{ticket.label} 号挂起在 {ticket.window} 窗口，只能由该窗口继续叫号", "refused", 409)
        if ticket.target_window and window and ticket.target_window != window:
            raise QueueError(f"{ticket.label} 号已转给 {ticket.target_window} 窗口", "refused", 409)
        return replace(ticket, state=CALLED, window=window, called_at=ticket.called_at or now,
                       calls=ticket.calls + 1, version=ticket.version + 1)
    if action == "recall":
        if ticket.calls > policy.max_recalls:
            return replace(ticket, state=NO_SHOW, ended_at=now, version=ticket.version + 1)
        return replace(ticket, calls=ticket.calls + 1, version=ticket.version + 1)
    if action == "serve":
        return replace(ticket, state=SERVING, serving_at=ticket.serving_at or now, version=ticket.version + 1)
    if action == "hold":
        return replace(ticket, state=HELD, version=ticket.version + 1)
    if action == "transfer":
        if not to_line and not to_window:
            raise QueueError("请指定转往的业务类别或窗口", "invalid", 422)
        # the ticket keeps its original place (sort_at): it does not go to the back
        return replace(ticket, state=WAITING, line=to_line or ticket.line, target_window=to_window, window="",
                       version=ticket.version + 1)
    assert target is not None
    return replace(ticket, state=target, ended_at=now, version=ticket.version + 1)


def _illegal(ticket: Ticket, action: str) -> str:
    label = ACTION_LABELS[action]
    state = STATE_LABELS.get(ticket.state, ticket.state)
    if ticket.state in FINAL_STATES:
        return f"{ticket.label} 号已{state}，不能再{label}"
    if action == "call" and ticket.state in (CALLED, SERVING):
        return f"{ticket.label} 号已由 {ticket.window or '其他'} 窗口叫号（{state}），不能重复叫号"
    hints = {"serve": "请先叫号", "finish": "请先开始办理", "no_show": "只有已叫号未到的号才能过号",
             "recall": "只有已叫号的号才能重呼"}
    hint = hints.get(action, "")
    return f"{ticket.label} 号当前{state}，不能{label}" + (f"：{hint}" if hint else "")


def window_after(window: Window, action: str) -> Window:
    """Open, pause or close a window; QueueError if not legal now."""
    rule = WINDOW_ACTIONS.get(action)
    if rule is None:
        raise QueueError(f"未知的窗口操作“{action[:20]}”", "invalid", 422)
    allowed, target = rule
    label = {"open": "开放", "pause": "暂停", "close": "关闭"}[action]
    if window.state == target:
        raise QueueError(f"{window.name or window.window} 已经{WINDOW_STATE_LABELS[target]}", "refused", 409)
    if window.state not in allowed:
        raise QueueError(f"{window.name or window.window} 当前{WINDOW_STATE_LABELS.get(window.state, window.state)}，"
                         f"不能{label}", "refused", 409)
    if action == "close" and window.current:
        raise QueueError(f"{window.name or window.window} 还有正在呼叫或办理的号，请先办结、挂起或过号再关闭",
                         "refused", 409)
    return replace(window, state=target, version=window.version + 1)


# -- the priority ratio -----------------------------------------------------------------------
def preferred_first(streak: int, ratio: tuple[int, int]) -> bool:
    """Whether the window's next call prefers a priority ticket: the ratio p:n is a cycle
    of p priority calls then n normal ones; ``streak`` is the window's place in it."""
    p, n = ratio
    if p <= 0:
        return False
    if n <= 0:
        return True
    return streak % (p + n) < p


def streak_after(streak: int, called_priority: bool, ratio: tuple[int, int]) -> int:
    """The place in the cycle after a call: it moves on only when the preferred kind
    was called (when none of that kind waited, the other kind's call does not use up
    the turn), so neither kind waits for ever while the other keeps coming."""
    p, n = ratio
    cycle = max(p + n, 1)
    if called_priority == preferred_first(streak, ratio):
        return (streak + 1) % cycle
    return streak % cycle


def call_order(skills: dict[str, int], streak: int, ratio: tuple[int, int]) -> list[tuple[tuple[str, ...], bool]]:
    """The buckets a window looks in for its next ticket, in order: for each rank of its
    skill list (1 first; lines of the same rank together, oldest first across them),
    the preferred kind (priority or normal) and then the other."""
    ranks: dict[int, list[str]] = {}
    for line, rank in skills.items():
        ranks.setdefault(rank, []).append(line)
    first = preferred_first(streak, ratio)
    order: list[tuple[tuple[str, ...], bool]] = []
    for rank in sorted(ranks):
        lines = tuple(sorted(ranks[rank]))
        order.append((lines, first))
        order.append((lines, not first))
    return order


def pick_next(waiting: list[Ticket], skills: dict[str, int], streak: int, ratio: tuple[int, int],
              window: str = "") -> Ticket | None:
    """The ticket a window calls next among ``waiting`` (the same choice the server
    makes in SQL bucket by bucket): by skill rank, the ratio's preferred kind, then
    place in line (``sort_at``, then number)."""
    for lines, prio in call_order(skills, streak, ratio):
        bucket = [t for t in waiting if t.state == WAITING and t.line in lines and t.is_priority == prio
                  and (not t.target_window or t.target_window == window)]
        if bucket:
            return min(bucket, key=lambda t: (t.sort_at, t.issued_at, t.number))
    return None


def place_key(ticket: Ticket) -> tuple[int, str, str, int]:
    """Order within a line for "people ahead": priority first, then place, then number."""
    return (0 if ticket.is_priority else 1, ticket.sort_at, ticket.issued_at, ticket.number)


def people_ahead(ticket: Ticket, waiting: list[Ticket]) -> int:
    """Tickets of the same line that will be called before this one (estimate: the
    ratio lets some normal tickets pass priority ones; not counted)."""
    mine = place_key(ticket)
    return sum(1 for t in waiting if t.line == ticket.line and t.state == WAITING and t.ticket != ticket.ticket
               and place_key(t) < mine)
