"""hall_app/domain/rating_groups.py, table by table: who a rating counts for (a case's, a
visit's with or without a case the report knows), the grouping keys (the day row of a fact
without its day), and the figures of each group, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.rating import FollowUp, Rating, Step
from hall_app.domain.rating_groups import NO_DAY, VISIT_BUNDLE, RatedFact, grouped, total, visit_fact

TODAY = dt.date(2026, 11, 30)
D1, D2 = dt.date(2026, 11, 3), dt.date(2026, 11, 4)


def follow_up(rating_id: str, due: dt.date, *steps: tuple[str, str]) -> FollowUp:
    every = (("opened", "2026-11-03T10:00"), *steps)
    return FollowUp(rating_id, D1, due, tuple(Step(step, "chenjing", at) for step, at in every))


CLOSED_ON_TIME = follow_up("r1", dt.date(2026, 11, 24), ("verified", "2026-11-05T09:00"),
                           ("closed", "2026-11-20T09:00"))
CLOSED_LATE = follow_up("r2", dt.date(2026, 11, 10), ("closed", "2026-11-11T09:00"))
OPEN_OVERDUE = follow_up("r3", dt.date(2026, 11, 24))
OPEN_IN_TIME = follow_up("r4", dt.date(2026, 12, 24))

FACTS = [
    RatedFact("新生儿出生", "W01", "zhangli", D1, Rating(5)),
    RatedFact("新生儿出生", "W01", "zhangli", D1, Rating(4)),
    RatedFact("新生儿出生", "W02", "liuwei", D2, Rating(1), CLOSED_ON_TIME),
    RatedFact("企业开办", "W02", "liuwei", D2, Rating(2), CLOSED_LATE),
    RatedFact("企业开办", "W01", "wangfang", None, Rating(None)),
    RatedFact("企业开办", "W01", "wangfang", D1, Rating(3)),
    RatedFact(VISIT_BUNDLE, "W03", "zhangli", D2, Rating(1), OPEN_OVERDUE),
    RatedFact(VISIT_BUNDLE, "W03", "zhangli", D2, None, OPEN_IN_TIME),  # only its follow-up counts here
]


def row(f) -> tuple:
    return (f.total, f.rated, tuple(f.distribution.values()), f.good_share, f.bad, f.follow_ups_closed,
            f.follow_ups_on_time, f.follow_ups_open, f.follow_ups_overdue)


def test_the_total_counted_by_hand():
    # 7 ratings (the 8th fact is a follow-up only); 6 rated; 非常满意 1, 满意 1, 基本满意 1,
    # 不满意 1, 非常不满意 2, 未评价 1; good 2 of 6; 3 bad; closed 2 (1 on time), open 2 (1 overdue)
    figures = total(FACTS, TODAY)
    assert row(figures) == (7, 6, (1, 1, 1, 1, 2, 1), 2 / 6, 3, 2, 1, 2, 1)
    assert list(figures.distribution) == ["非常满意", "满意", "基本满意", "不满意", "非常不满意", "未评价"]


@pytest.mark.parametrize("by, expected", [
    ("bundle", {
        "企业开办": (3, 2, (0, 0, 1, 1, 0, 1), 0.0, 1, 1, 0, 0, 0),
        "新生儿出生": (3, 3, (1, 1, 0, 0, 1, 0), 2 / 3, 1, 1, 1, 0, 0),
        VISIT_BUNDLE: (1, 1, (0, 0, 0, 0, 1, 0), 0.0, 1, 0, 0, 2, 1),
    }),
    ("window", {
        "W01": (4, 3, (1, 1, 1, 0, 0, 1), 2 / 3, 0, 0, 0, 0, 0),
        "W02": (2, 2, (0, 0, 0, 1, 1, 0), 0.0, 2, 2, 1, 0, 0),
        "W03": (1, 1, (0, 0, 0, 0, 1, 0), 0.0, 1, 0, 0, 2, 1),
    }),
    ("clerk", {
        "liuwei": (2, 2, (0, 0, 0, 1, 1, 0), 0.0, 2, 2, 1, 0, 0),
        "wangfang": (2, 1, (0, 0, 1, 0, 0, 1), 0.0, 0, 0, 0, 0, 0),
        "zhangli": (3, 3, (1, 1, 0, 0, 1, 0), 2 / 3, 1, 0, 0, 2, 1),
    }),
    ("day", {
        "2026-11-03": (3, 3, (1, 1, 1, 0, 0, 0), 2 / 3, 0, 0, 0, 0, 0),
        "2026-11-04": (3, 3, (0, 0, 0, 1, 2, 0), 0.0, 3, 2, 1, 2, 1),
        NO_DAY: (1, 0, (0, 0, 0, 0, 0, 1), None, 0, 0, 0, 0, 0),
    }),
])
def test_each_grouping_by_hand_in_key_order_adding_up_to_the_total(by, expected):
    groups = grouped(FACTS, by, TODAY)
    assert {name: row(f) for name, f in groups.items()} == expected
    assert list(groups) == sorted(expected)  # sorted by the group's key
    whole = row(total(FACTS, TODAY))
    for n in (0, 1, 4, 5, 6, 7, 8):  # the counts add up (the distribution and the share do not sum)
        assert sum(r[n] for r in map(row, groups.values())) == whole[n]


def test_an_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="unknown grouping 'month'"):
        grouped(FACTS, "month", TODAY)


def test_the_keys_of_a_fact():
    fact = RatedFact("新生儿出生", "W01", "zhangli", D1, Rating(5))
    assert [fact.key(by) for by in ("bundle", "window", "clerk", "day")] == ["新生儿出生", "W01", "zhangli",
                                                                            "2026-11-03"]
    assert RatedFact("b", "w", "c", None, None).key("day") == NO_DAY == "日期不详"
    assert VISIT_BUNDLE == "窗口服务"


@pytest.mark.parametrize("cases, expected", [
    (["c9", "c2", "c1"], "企业开办"),   # the first of its cases the report knows (c9 is not known)
    (["c1", "c2"], "新生儿出生"),
    (["c9"], VISIT_BUNDLE),              # produced cases, none the report knows
    ([], VISIT_BUNDLE),                  # produced none: a consultation at the window
    (None, VISIT_BUNDLE),
])
def test_a_visit_counts_for_the_bundle_of_its_first_known_case(cases, expected):
    known = {"c1": "新生儿出生", "c2": "企业开办"}
    payload = {"window": "W03", "clerk": "zhangli", "level": 2, "reasons": ["等候时间长"],
               "dimensions": {"服务效率": 2}}
    if cases is not None:
        payload["cases"] = cases
    fact = visit_fact(payload, D2, known, OPEN_IN_TIME)
    assert fact == RatedFact(expected, "W03", "zhangli", D2, Rating(2, {"服务效率": 2}, ("等候时间长",)), OPEN_IN_TIME)


def test_a_visit_without_window_clerk_or_level():
    fact = visit_fact({"level": None, "window": None}, None, {})
    assert fact == RatedFact(VISIT_BUNDLE, "", "", None, Rating(None), None)
    assert fact.rating is not None and fact.rating.label == "未评价"
