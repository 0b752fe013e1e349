"""domain/dispatch.py vector by vector: item steps and supplements in words, packages and
department rows whole on a hand-made bundle, the clerk's flags branch by branch, the
notice return list, days and hall times, waybill check digits worked by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.case import CaseError, CaseState
from hall_app.domain.dispatch import (
    check_item_step,
    check_supplement,
    check_terminate,
    check_waybill,
    deferral_overdue,
    department_rows,
    departments,
    follow_up_flags,
    hall_time,
    notice_return_codes,
    package,
    package_status,
    parse_day,
)


def _item(code: str, dept: str) -> dict[str, object]:
    return {"code": code, "name": f"{code}事项", "department": dept, "statutory_days": 5, "promised_days": 3,
            "output": "结果"}


SMALL = Bundle(
    code="small", name="小套餐", kind="个人", life_stage="出生", lead_department="甲局", source="test", version=1,
    items=[_item("a", "甲局"), _item("b", "乙局"), _item("c", "甲局")],
    materials=[
        {"code": "m1", "name": "证一", "spec": "s", "items": ["a"]},
        {"code": "m2", "name": "证二", "spec": "s", "items": ["b"], "elicence": "电子证二"},
        {"code": "m3", "name": "证三", "spec": "s", "items": ["a", "b"], "elicence": "电子证三"},
        {"code": "m4", "name": "证四", "spec": "s", "items": ["c"]},
    ],
    fields=[
        {"key": "f1", "label": "一", "items": ["a"]},
        {"key": "f2", "label": "二", "items": ["b"]},
        {"key": "f3", "label": "三", "items": ["a", "b"]},
        {"key": "f4", "label": "四", "items": ["a"]},
        {"key": "f5", "label": "五"},
    ],
)


def case(**items: dict) -> CaseState:
    return CaseState(case_id="c1", tracking_code="T1", bundle_code="small", hall="h1", status="dispatched",
                     items={code: {"status": "dispatched", "due": "", **item} for code, item in items.items()})


# -- item steps -------------------------------------------------------------------------------

@pytest.mark.parametrize(("current", "target", "message"), [
    ("completed", "completed", "事项 a 已有最终结果，不能改写"),
    ("rejected", "received", "事项 a 已有最终结果，不能改写"),
    ("needs_material", "in_progress", "事项 a 正等待申请人补正材料；窗口登记补正后才能继续办理"),
    ("needs_material", "approved", "事项 a 正等待申请人补正材料；窗口登记补正后才能继续办理"),
    ("approved", "in_progress", "事项 a 已是“已批准”，不能退回“办理中”"),
    ("in_progress", "received", "事项 a 已是“办理中”，不能退回“部门已接收”"),
    ("received", "odd", "事项 a 已是“部门已接收”，不能退回“odd”"),
])
def test_a_report_that_goes_back_is_refused_in_words(current, target, message):
    with pytest.raises(CaseError) as error:
        check_item_step("a", current, target)
    assert str(error.value) == message


@pytest.mark.parametrize(("current", "target"), [
    ("needs_material", "needs_material"), ("needs_material", "rejected"), ("supplemented", "in_progress"),
    ("in_progress", "needs_material"), ("approved", "approved"), ("approved", "completed"), ("pending", "received"),
    ("odd", "received"), ("odd", "pending"), ("dispatched", "rejected"),
])
def test_a_report_that_goes_on_is_accepted(current, target):
    check_item_step("a", current, target)


@pytest.mark.parametrize(("items", "item", "materials", "message"), [
    ({}, "a", ["m1"], "本办件没有事项 a"),
    ({"a": {"status": "in_progress"}}, "a", ["m1"], "事项 a 当前为“办理中”，没有待补正的材料"),
    ({"a": {"status": "needs_material"}}, "a", [], "请写明申请人补交了哪些材料"),
    ({"a": {"status": "needs_material"}}, "a", "m1", "请写明申请人补交了哪些材料"),
])
def test_a_supplement_is_refused_in_words(items, item, materials, message):
    with pytest.raises(CaseError) as error:
        check_supplement(case(**items), item, materials)
    assert str(error.value) == message


def test_a_supplement_for_a_waiting_item_passes():
    check_supplement(case(a={"status": "needs_material"}), "a", ["m1"])


@pytest.mark.parametrize(("kind", "reason", "message"), [
    ("stop", "r", "终止方式应为 terminate（终止办理）或 revoke（撤销）"),
    ("terminate", " ", "终止或撤销必须写明理由"),
    ("revoke", None, "终止或撤销必须写明理由"),
])
def test_a_termination_is_refused_in_words(kind, reason, message):
    with pytest.raises(CaseError) as error:
        check_terminate(kind, reason)
    assert str(error.value) == message
    check_terminate("revoke", "逾期")


# -- packages ---------------------------------------------------------------------------------

def test_departments_in_bundle_order_with_only_the_cases_items():
    assert departments(SMALL, ["c", "b", "a"]) == {"甲局": ["a", "c"], "乙局": ["b"]}
    assert departments(SMALL, ["b"]) == {"乙局": ["b"]}


def test_a_package_holds_its_departments_share_whole():
    state = case(a={"status": "received", "due": "2026-12-01", "note": "n", "commitment": "2027-01-01"},
                 b={"status": "dispatched"})
    state.fields = {"f1": "一值", "f2": "二值", "f3": "三值", "f4": "", "f5": "五值"}
    state.marks = {"m1": "handed_in", "m3": "missing"}
    state.deferred = ["m2"]
    state.applicant = {"name": "刘洋", "id_number": "ID", "phone": "138", "address": "地址", "uscc": "U",
                       "firm_name": "F"}
    assert package(SMALL, state, "甲局") == {
        "department": "甲局", "tracking_code": "T1", "bundle_code": "small", "case_id": "c1", "hall": "h1",
        "status": "received", "applicant": {"name": "刘洋", "id_number": "ID", "uscc": "U", "firm_name": "F"},
        "items": [{"code": "a", "name": "a事项", "status": "received", "due": "2026-12-01", "note": "n",
                   "commitment": True}],
        "fields": {"f1": "一值", "f3": "三值"},
        "materials": [{"code": "m1", "name": "证一", "status": "handed_in", "elicence": ""},
                      {"code": "m3", "name": "证三", "status": "missing", "elicence": "电子证三"}]}
    second = package(SMALL, state, "乙局")
    assert second["materials"] == [{"code": "m2", "name": "证二", "status": "deferred", "elicence": "电子证二"},
                                   {"code": "m3", "name": "证三", "status": "missing", "elicence": "电子证三"}]
    assert second["items"] == [{"code": "b", "name": "b事项", "status": "dispatched", "due": "", "note": "",
                                "commitment": False}]
    state.items["b"] = {"status": "received"}  # no due date
    assert package(SMALL, state, "乙局")["items"][0]["due"] == ""
    state.marks = {}
    assert package(SMALL, state, "甲局")["materials"][1]["status"] == "elicence"
    assert package(SMALL, state, "甲局")["materials"][0]["status"] == ""


@pytest.mark.parametrize(("statuses", "word"), [
    ([], "none"),
    (["needs_material", "rejected"], "needs_material"),
    (["rejected", "completed"], "rejected"),
    (["completed", "completed"], "done"),
    (["pending", "dispatched"], "sent"),
    (["dispatched", "in_progress"], "in_progress"),
    (["received", "supplemented"], "in_progress"),
    (["received", "approved"], "in_progress"),
    (["received", "completed"], "received"),
    (["received", "dispatched"], "received"),
])
def test_a_package_status_in_one_word(statuses, word):
    state = case(**{f"i{n}": {"status": s} for n, s in enumerate(statuses)})
    assert package_status(state, {f"i{n}" for n in range(len(statuses))} | {"elsewhere"}) == word


def test_department_rows_whole():
    state = case(a={"status": "received", "due": "2026-12-01", "at": "2026-11-22T02:00:00+00:00",
                    "sent": "2026-11-21T10:00:00+08:00"},
                 c={"status": "dispatched", "due": "2026-12-03", "sent": "2026-11-21T09:00:00+08:00"},
                 b={"status": "completed", "due": "2026-11-30", "at": "2026-11-23T10:00:00+08:00"})
    assert department_rows(SMALL, state) == [
        {"department": "甲局", "status": "received", "label": "部门已接收", "items": ["a", "c"],
         "updated": "2026-11-22T10:00:00+08:00", "sent": "2026-11-21T09:00:00+08:00", "due": "2026-12-03"},
        {"department": "乙局", "status": "done", "label": "已办结", "items": ["b"],
         "updated": "2026-11-23T10:00:00+08:00", "sent": "", "due": "2026-11-30"}]
    state.items["b"] = {"status": "dispatched"}  # no report, no due date
    assert department_rows(SMALL, state)[1] == {"department": "乙局", "status": "sent", "label": "已分发",
                                                "items": ["b"], "updated": "", "sent": "", "due": ""}


# -- days and times ---------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "day"), [
    ("2026-11-21", dt.date(2026, 11, 21)), ("2026-11-21T23:59:00+08:00", dt.date(2026, 11, 21)),
    (dt.date(2026, 1, 2), dt.date(2026, 1, 2)), ("", None), (None, None), ("2026-13-01", None), ("明天", None),
])
def test_parse_day(text, day):
    assert parse_day(text) == day


@pytest.mark.parametrize(("stamp", "shown"), [
    ("2026-12-01T16:18:05.123+00:00", "2026-12-02T00:18:05+08:00"),
    ("2026-12-01T10:00:00.9", "2026-12-01T10:00:00"),
    (None, ""), ("", ""), ("坏", "坏"),
])
def test_hall_time(stamp, shown):
    assert hall_time(stamp) == shown


# -- the clerk's flags ------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 26)
NAMES = {"a": "甲事项", "m1": "证一"}


@pytest.mark.parametrize(("status", "items", "flags"), [
    ("dispatched", {"a": {"status": "needs_material", "note": "补照片"}}, ["事项 甲事项 需补正：补照片"]),
    ("dispatched", {"a": {"status": "needs_material"}}, ["事项 甲事项 需补正："]),
    ("accepted", {"a": {"status": "rejected", "note": "不符"}}, ["事项 甲事项 不予批准：不符"]),
    ("accepted_deferred", {"b": {"status": "rejected"}}, ["事项 b 不予批准："]),
    ("dispatched", {"a": {"status": "in_progress", "due": "2026-11-25"}}, ["事项 甲事项 已超过承诺期限（2026-11-25）"]),
    ("dispatched", {"a": {"status": "in_progress", "due": "2026-11-26"}}, []),
    ("dispatched", {"a": {"status": "completed", "due": "2026-11-01"}}, []),
    ("dispatched", {"a": {"status": "in_progress", "due": ""}}, []),
    ("completed", {"a": {"status": "needs_material"}}, ["办理结果已全部返回，待送达"]),
    ("voided", {"a": {"status": "needs_material"}}, []),
    ("refused", {}, []),
])
def test_item_flags(status, items, flags):
    state = case(**items)
    state.status = status
    assert follow_up_flags(state, TODAY, NAMES) == flags


@pytest.mark.parametrize(("deadline", "flags"), [
    ("2026-11-25", ["容缺材料逾期未补交（期限 2026-11-25）：证一、m2"]),
    ("2026-11-26", ["容缺材料待补交（期限 2026-11-26）：证一、m2"]),
    ("", []),
])
def test_deferral_flags_without_a_policy(deadline, flags):
    state = case()
    state.status, state.deferred, state.deferred_deadline = "accepted_deferred", ["m1", "m2"], deadline
    assert follow_up_flags(state, TODAY, NAMES) == flags
    assert deferral_overdue(state, TODAY) is (deadline == "2026-11-25")
    state.deferred = []
    assert follow_up_flags(state, TODAY, NAMES) == [] and deferral_overdue(state, TODAY) is False


@pytest.mark.parametrize(("deadline", "flags"), [
    ("2026-11-25", ["一次性告知期限已过（2026-11-25），申请人未补齐材料"]),
    ("2026-11-26", ["一次性告知待补齐（期限 2026-11-26）：证一、m2"]),
    ("", []),
])
def test_notice_flags_read_the_last_notice(deadline, flags):
    state = case()
    state.status = "notice_issued"
    state.notices = [{"missing": ["x"], "deadline": "2026-01-01"}, {"missing": ["y"], "deadline": "2026-01-02"},
                     {"missing": ["m1", "m2"], "deadline": deadline}]
    assert follow_up_flags(state, TODAY, NAMES) == flags
    state.notices[-1] = {"deadline": "2026-11-30"}
    assert follow_up_flags(state, TODAY, NAMES) == ["一次性告知待补齐（期限 2026-11-30）："]
    state.status = "draft"
    assert follow_up_flags(state, TODAY, NAMES) == []


def test_a_failed_check_is_flagged_until_the_case_ends():
    state = case(a={"status": "approved", "commitment": "2027-01-01"})
    state.checks = {"a": {"result": "failed", "note": "不符"}, "b": {"result": "passed"}}
    assert follow_up_flags(state, TODAY, NAMES) == ["事项 甲事项 告知承诺核查不实：不符"]
    state.checks = {"a": {"result": "failed"}}
    assert follow_up_flags(state, TODAY) == ["事项 a 告知承诺核查不实："]


@pytest.mark.parametrize(("status", "notices", "now", "codes"), [
    ("notice_issued", [{"missing": ["x"]}, {"missing": ["m1", 3, "m2"]}], ["m2", "m5", "m1", "m6"],
     ["m1", "m2", "m5", "m6"]),
    ("notice_issued", [{}], ["m5"], ["m5"]),
    ("notice_issued", [], ["m5"], []),
    ("accepted", [{"missing": ["m1"]}], ["m5"], []),
])
def test_what_a_returning_citizen_is_checked_for(status, notices, now, codes):
    state = case()
    state.status, state.notices = status, notices
    assert notice_return_codes(state, now) == codes


# -- waybills: S10 check digits worked by hand (weights 8 6 4 2 3 5 9 7; 11 - Σ mod 11; 11 → 5, 10 → 0) ---

@pytest.mark.parametrize(("typed", "kept"), [
    ("EA000000005CN", "EA000000005CN"),  # Σ 0: 11 → 5
    ("EA000040000CN", "EA000040000CN"),  # Σ 12 ≡ 1: 10 → 0
    ("EA000000014CN", "EA000000014CN"),  # Σ 7: 4
    ("RR100000003CN", "RR100000003CN"),  # Σ 8: 3
    ("EA123456785CN", "EA123456785CN"),  # Σ 204 ≡ 6: 5
    ("ea 1234 5678 5cn", "EA123456785CN"),
    ("1234567890123", "1234567890123"),
])
def test_waybills_with_their_check_digit(typed, kept):
    assert check_waybill(typed) == kept


@pytest.mark.parametrize(("typed", "message"), [
    ("EA000000000CN", "邮件号 EA000000000CN 的校验位不对，请核对面单"),
    ("EA000040005CN", "邮件号 EA000040005CN 的校验位不对，请核对面单"),
    ("EA123456784CN", "邮件号 EA123456784CN 的校验位不对，请核对面单"),
    ("E1123456785CN", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("EA123456785C1", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("EA12345678XCN", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("EA1234567855CN", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("123456789012", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("١٢٣٤٥٦٧٨٩٠١٢٣", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("ÉA123456785CN", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    (12345678901234, "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    (1234567890123, "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),  # not text
    ("EA1234567855N", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
    ("EAB23456785CN", "邮件号格式应为 13 位：如 EA123456785CN（两字母、九位数字、两字母）或 13 位数字"),
])
def test_waybills_refused_in_words(typed, message):
    with pytest.raises(CaseError) as error:
        check_waybill(typed)
    assert str(error.value) == message


@pytest.mark.parametrize("status", ["voided", "refused", "terminated"])
def test_an_ended_case_has_no_flags_at_all(status):
    state = case(a={"status": "needs_material"})
    state.status, state.deferred, state.deferred_deadline = status, ["m1"], "2026-11-01"
    state.checks = {"a": {"result": "failed", "note": "不符"}}
    assert follow_up_flags(state, TODAY, NAMES) == []


def test_a_deferral_flag_goes_first_only_when_the_window_has_a_step_to_take():
    from hall_app.domain.deferral import DeferralStage

    state = case(a={"status": "needs_material", "note": "补"})
    state.status, state.deferred, state.deferred_deadline = "dispatched", ["m1"], "2026-12-04"
    quiet = DeferralStage("due", dt.date(2026, 12, 4), dt.date(2026, 12, 2), dt.date(2026, 12, 4), "", "",
                          "terminate")
    assert follow_up_flags(state, TODAY, NAMES, quiet) == ["事项 甲事项 需补正：补",
                                                           "容缺材料待补交（期限 2026-12-04）：证一"]
    due = DeferralStage("remind", dt.date(2026, 12, 4), dt.date(2026, 11, 26), dt.date(2026, 12, 4), "", "remind",
                        "terminate")
    assert follow_up_flags(state, TODAY, NAMES, due) == ["容缺材料应提醒（期限 2026-12-04）→记录提醒：证一",
                                                         "事项 甲事项 需补正：补"]
