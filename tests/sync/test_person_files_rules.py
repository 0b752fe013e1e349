"""Rules of hall_app/sync/person_files.py on a plain device database (no demo hall, no
server): the summary line (table), an older server's refusal and other errors, and
one refresh that stores, replaces, refuses, notes the missing and drops those no
longer principals, compared row by row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hall_app.services.demo import CHEN_MIN, HE_DEGUI, LIU_YANG, ZHOU_GUIYING
from hall_app.store.models import Elicence, Person, PersonExtractRow
from hall_app.sync.errors import SyncError
from hall_app.sync.person_files import ExtractReport, refresh_extracts

NOW = "2026-11-21T10:00:00+08:00"  # tests/conftest.py's clock
OTHER = "11010519491231002X"  # a valid ID of no one here


class FakeServer:
    def __init__(self, answer=None, error: SyncError | None = None):
        self.answer, self.error, self.calls = answer, error, 0

    def person_files(self):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.mark.parametrize(("report", "line"), [
    (ExtractReport(), "委托人档案更新 0 人"),
    (ExtractReport(refreshed=2), "委托人档案更新 2 人"),
    (ExtractReport(refreshed=2, missing=1), "委托人档案更新 2 人，档案中查无 1 人"),
    (ExtractReport(refreshed=1, dropped=3), "委托人档案更新 1 人，删除已失效委托的档案 3 人"),
    (ExtractReport(refreshed=0, refused=2), "委托人档案更新 0 人，2 份摘录不合格未存"),
    (ExtractReport(refreshed=1, missing=1, dropped=1, refused=2),
     "委托人档案更新 1 人，档案中查无 1 人，删除已失效委托的档案 1 人，2 份摘录不合格未存"),
    (ExtractReport(refreshed=1, missing=1, error="Not Found"), "委托人档案未更新（Not Found）"),
])
def test_summary(report, line):
    assert report.summary() == line


def test_a_refusal_is_noted_and_changes_nothing(ctx):
    report = refresh_extracts(ctx, FakeServer(error=SyncError("拒" * 300, "refused", 404)))
    assert report == ExtractReport(error="拒" * 200)
    with ctx.read() as session:
        assert session.scalars(select(PersonExtractRow)).all() == []


@pytest.mark.parametrize("kind", ["offline", "auth", "server", "config"])
def test_any_other_error_ends_the_round(ctx, kind):
    with pytest.raises(SyncError) as raised:
        refresh_extracts(ctx, FakeServer(error=SyncError("无法连接", kind)))
    assert raised.value.kind == kind


def _seed(ctx) -> None:
    """Held extracts of LIU_YANG (with two licences), HE_DEGUI and CHEN_MIN; a person the
    agent typed in (OTHER) that no extract names."""
    with ctx.Session.begin() as session:
        for who in (LIU_YANG, HE_DEGUI, CHEN_MIN):
            session.add(Person(id_number=who, name="旧" + who[-4:], phone="1"))
            session.add(PersonExtractRow(id_number=who, on_file=True, refreshed_at="2026-11-01T08:00:00+08:00",
                                         updated_at="2026-10-01"))
        session.add(Person(id_number=OTHER, name="自填"))
        session.add_all([Elicence(holder=LIU_YANG, type="旧证", number="o1"),
                         Elicence(holder=LIU_YANG, type="旧证二", number="o2"),
                         Elicence(holder=CHEN_MIN, type="旧证", number="c1"),
                         Elicence(holder=OTHER, type="自填证", number="x1")])


def _people(ctx) -> dict:
    with ctx.read() as session:
        return {p.id_number: (p.name, p.sex, p.birth_date, p.phone, p.address, p.local_hukou, p.dishonest)
                for p in session.scalars(select(Person))}


def _licences(ctx) -> list:
    with ctx.read() as session:
        return [(e.holder, e.type, e.number, e.issued_by, e.issued_on, e.data)
                for e in session.scalars(select(Elicence).order_by(Elicence.holder, Elicence.type))]


def _extract_rows(ctx) -> dict:
    with ctx.read() as session:
        return {r.id_number: (r.on_file, r.refreshed_at, r.updated_at)
                for r in session.scalars(select(PersonExtractRow))}


def test_one_refresh_row_by_row(ctx):
    _seed(ctx)
    answer = {
        "extracts": [
            {"id_number": LIU_YANG, "name": "刘洋", "sex": "男", "birth_date": "1990-03-15",
             "phone": "13800000001", "address": "重庆市江津区几江街道18号", "local_hukou": False,
             "dishonest": True, "updated_at": "2026-11-30",
             "elicences": [{"type": "居民身份证", "number": "N1", "issued_by": "江津区公安局",
                            "issued_on": "2020-01-01", "data": {"有效期": "2040-01-01"}},
                           {"type": "户口簿"}]},
            {"id_number": ZHOU_GUIYING, "name": ""},  # refused: no name
            "not a dict",  # refused
        ],
        "missing": [HE_DEGUI, "short", 500116194206113661, "5001161942061136611", ZHOU_GUIYING[:17]],
    }
    report = refresh_extracts(ctx, FakeServer(answer))
    assert report == ExtractReport(refreshed=1, missing=1, dropped=1, refused=2)
    assert _people(ctx) == {
        LIU_YANG: ("刘洋", "男", "1990-03-15", "13800000001", "重庆市江津区几江街道18号", False, True),
        HE_DEGUI: ("旧" + HE_DEGUI[-4:], "", "", "1", "", True, False),  # no file: what the laptop had stays
        OTHER: ("自填", "", "", "", "", True, False),  # never an extract: not the sync's to drop
    }
    assert _licences(ctx) == [
        (OTHER, "自填证", "x1", "", "", {}),
        (LIU_YANG, "居民身份证", "N1", "江津区公安局", "2020-01-01", {"有效期": "2040-01-01"}),
        (LIU_YANG, "户口簿", "", "", "", {}),
    ]
    assert _extract_rows(ctx) == {LIU_YANG: (True, NOW, "2026-11-30"), HE_DEGUI: (False, NOW, "")}


def test_a_principal_first_seen_is_added_and_an_empty_answer_drops_every_held_extract(ctx):
    _seed(ctx)
    refresh_extracts(ctx, FakeServer({"extracts": [{"id_number": ZHOU_GUIYING, "name": "周桂英"}],
                                      "missing": [OTHER]}))
    assert _extract_rows(ctx) == {ZHOU_GUIYING: (True, NOW, ""), OTHER: (False, NOW, "")}
    assert set(_people(ctx)) == {ZHOU_GUIYING, OTHER}
    report = refresh_extracts(ctx, FakeServer({"extracts": None, "missing": None}))
    assert report == ExtractReport(dropped=2)
    assert _extract_rows(ctx) == {} and _people(ctx) == {} and _licences(ctx) == []


def test_nothing_held_and_nothing_sent(ctx):
    assert refresh_extracts(ctx, FakeServer({})) == ExtractReport()
    assert "people" not in ctx.__dict__  # the person-file service is not started for nothing


def test_the_person_file_cache_is_emptied_once_it_exists(ctx):
    ctx.people._cache["x"] = (0.0, None)
    refresh_extracts(ctx, FakeServer({"extracts": [], "missing": []}))
    assert ctx.people._cache == {}
