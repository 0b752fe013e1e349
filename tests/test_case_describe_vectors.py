"""Vectors for hall_app/domain/case_describe.py: every describer word for word, on a
hand-made duck-typed bundle (names found), on codes the bundle does not know (the code
is shown), and on payloads missing their keys (what stands in for each). Pure, no I/O."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from hall_app.domain.case_describe import CLEARED, EVENT_LABELS, describe_event, event_label

BUNDLE = NS(
    name="测试事项",
    questions=[NS(id="q1", text="是否首次申请？")],
    materials=[NS(code="m1", name="身份证"), NS(code="m2", name="照片")],
    fields=[NS(key="f1", label="姓名")],
    items=[NS(code="i1", name="出生登记"), NS(code="i2", name="医保登记")],
)
BARE = object()  # a bundle with none of the attributes: every name falls back to its code

VECTORS = [
    # case.started
    ("case.started", {"tracking_code": "BKW37DX2F2AD", "ticket_label": "A012"}, BUNDLE,
     "测试事项 跟踪码 BKW3-7DX2-F2AD 排队号 A012"),
    ("case.started", {"tracking_code": "BKW37DX2F2AD", "ticket_label": ""}, BUNDLE, "测试事项 跟踪码 BKW3-7DX2-F2AD"),
    ("case.started", {}, BARE, " 跟踪码 "),
    # case.claimed
    ("case.claimed", {"user": "chenjing"}, BUNDLE, "chenjing"),
    ("case.claimed", {}, BUNDLE, ""),
    # case.applicant_set
    ("case.applicant_set", {"key": "name", "value": "张三"}, BUNDLE, "姓名：张三"),
    ("case.applicant_set", {"key": "firm_name", "value": None}, BUNDLE, "名称：（清空）"),
    ("case.applicant_set", {"key": "hobby", "value": "书法"}, BUNDLE, "hobby：书法"),
    ("case.applicant_set", {}, BUNDLE, "None：（清空）"),
    # case.proxy_set
    ("case.proxy_set", {"proxy": {"name": "刘一", "relation": "子女"}}, BUNDLE, "刘一（子女）"),
    ("case.proxy_set", {"proxy": {"name": "刘一"}}, BUNDLE, "刘一（）"),
    ("case.proxy_set", {"proxy": {"relation": "配偶"}}, BUNDLE, "（配偶）"),
    ("case.proxy_set", {"proxy": {}}, BUNDLE, "本人办理"),
    ("case.proxy_set", {}, BUNDLE, "本人办理"),
    # case.step_set
    ("case.step_set", {"step": "decision"}, BUNDLE, "决定"),
    ("case.step_set", {"step": "payment"}, BUNDLE, "payment"),
    ("case.step_set", {}, BUNDLE, ""),
    # case.answer_set
    ("case.answer_set", {"question": "q1", "value": "是"}, BUNDLE, "是否首次申请？ 是"),
    ("case.answer_set", {"question": "q9", "value": ""}, BUNDLE, "q9 （清除）"),
    ("case.answer_set", {"question": "q1", "value": "是"}, BARE, "q1 是"),
    ("case.answer_set", {}, BUNDLE, "None （清除）"),
    # case.material_marked
    ("case.material_marked", {"material": "m1", "status": "handed_in"}, BUNDLE, "身份证：已收"),
    ("case.material_marked", {"material": "m2", "status": "exempt"}, BUNDLE, "照片：电子证照免交"),
    ("case.material_marked", {"material": "m9", "status": "lost"}, BUNDLE, "m9：lost"),
    ("case.material_marked", {"material": "m1", "status": ""}, BUNDLE, "身份证：（清空）"),
    ("case.material_marked", {"material": "m1"}, BUNDLE, "身份证：（清空）"),
    ("case.material_marked", {"material": "m1", "status": "missing"}, BARE, "m1：缺"),
    # case.field_set
    ("case.field_set", {"key": "f1", "value": "张三"}, BUNDLE, "姓名=张三"),
    ("case.field_set", {"key": "f9"}, BUNDLE, "f9=（清空）"),
    ("case.field_set", {"key": "f1", "value": "张三"}, BARE, "f1=张三"),
    # case.notice_issued
    ("case.notice_issued", {"missing": ["m1", "m9", "m2"], "deadline": "2026-12-10"}, BUNDLE,
     "缺：身份证、m9、照片；期限 2026-12-10"),
    ("case.notice_issued", {"missing": ["m1"], "deadline": "2026-12-10", "reason": "材料有误"}, BUNDLE,
     "缺：身份证；期限 2026-12-10；再次告知原因：材料有误"),
    ("case.notice_issued", {"missing": ["m1"], "deadline": "2026-12-10", "reason": ""}, BUNDLE,
     "缺：身份证；期限 2026-12-10"),
    ("case.notice_issued", {}, BUNDLE, "缺：；期限 "),
    # case.accepted / accepted_deferred
    ("case.accepted", {"items": {"i1": "2026-12-10", "i9": "2026-12-11"}}, BUNDLE,
     "出生登记 2026-12-10；i9 2026-12-11"),
    ("case.accepted_deferred", {"items": {"i2": "2026-12-12"}}, BUNDLE, "医保登记 2026-12-12"),
    ("case.accepted", {"items": None}, BUNDLE, ""),
    ("case.accepted", {}, BUNDLE, ""),
    # case.deferred_supplied
    ("case.deferred_supplied", {"material": "m1", "via": "elicence", "licence": "L-001"}, BUNDLE,
     "身份证（电子证照已调取：L-001）"),
    ("case.deferred_supplied", {"material": "m9", "via": "elicence"}, BUNDLE, "m9（电子证照已调取：）"),
    ("case.deferred_supplied", {"material": "m2", "via": "paper", "licence": "L-001"}, BUNDLE, "照片"),
    ("case.deferred_supplied", {}, BUNDLE, ""),
    # case.authorisation_set
    ("case.authorisation_set", {"authorisation": {"principal_name": "张三", "agent_name": "李四",
                                                  "valid_until": "2027-01-01", "received_at": "2026-12-01T09:00:00"}},
     BUNDLE, "委托人 张三 → 李四，有效期至 2027-01-01，委托书已签回"),
    ("case.authorisation_set", {"authorisation": {"agent_name": "李四", "received_at": ""}}, BUNDLE,
     "委托人  → 李四，有效期至 ，委托书未签回"),
    ("case.authorisation_set", {"authorisation": {"principal_name": "张三"}}, BUNDLE,
     "委托人 张三 → ，有效期至 ，委托书未签回"),
    ("case.authorisation_set", {"authorisation": None}, BUNDLE, "无（已清除）"),
    ("case.authorisation_set", {}, BUNDLE, "无（已清除）"),
    # case.refused / voided
    ("case.refused", {"reason": "不属于受理范围"}, BUNDLE, "不属于受理范围"),
    ("case.voided", {}, BUNDLE, ""),
    # case.dispatched
    ("case.dispatched", {"items": ["i1", "i9", "i2"]}, BUNDLE, "出生登记、i9、医保登记"),
    ("case.dispatched", {"items": None}, BUNDLE, ""),
    ("case.dispatched", {}, BUNDLE, ""),
    # case.item_result
    ("case.item_result", {"item": "i1", "status": "approved"}, BUNDLE, "出生登记：已批准"),
    ("case.item_result", {"item": "i2", "status": "needs_material", "note": "缺照片"}, BUNDLE,
     "医保登记：需补正（缺照片）"),
    ("case.item_result", {"item": "i9", "status": "odd", "note": ""}, BUNDLE, "i9：odd"),
    ("case.item_result", {}, BUNDLE, "None：None"),
    # case.handed_over
    ("case.handed_over", {"method": "window"}, BUNDLE, "窗口领取"),
    ("case.handed_over", {"method": "mail", "waybill": "KA123456785CN"}, BUNDLE, "邮政寄递 邮件号 KA123456785CN"),
    ("case.handed_over", {"method": "home", "waybill": ""}, BUNDLE, "帮代办员上门送达"),
    ("case.handed_over", {"method": "drone"}, BUNDLE, "drone"),
    ("case.handed_over", {}, BUNDLE, ""),
    # case.supplemented
    ("case.supplemented", {"item": "i1", "materials": ["m1", "m9"], "note": "当场补交"}, BUNDLE,
     "出生登记：补交 身份证、m9（当场补交）"),
    ("case.supplemented", {"item": "i9", "materials": ["m2"], "note": ""}, BUNDLE, "i9：补交 照片"),
    ("case.supplemented", {}, BUNDLE, "None：补交 "),
    # case.terminated
    ("case.terminated", {"kind": "revoke", "reason": "申请人撤回"}, BUNDLE, "撤销：申请人撤回"),
    ("case.terminated", {"kind": "terminate"}, BUNDLE, "终止办理："),
    ("case.terminated", {"kind": "odd", "reason": "r"}, BUNDLE, "odd：r"),
    ("case.terminated", {}, BUNDLE, "None："),
    # case.check_recorded
    ("case.check_recorded", {"item": "i1", "result": "failed", "note": "地址不符"}, BUNDLE,
     "出生登记：核查不实（地址不符）"),
    ("case.check_recorded", {"item": "i2", "result": "passed", "note": ""}, BUNDLE, "医保登记：核查通过"),
    ("case.check_recorded", {"item": "i9", "result": "odd"}, BUNDLE, "i9：odd"),
    ("case.check_recorded", {}, BUNDLE, "None：None"),
    # case.rated
    ("case.rated", {"level": 5}, BUNDLE, "5星"),
    ("case.rated", {"level": 1, "reasons": ["态度差", "多次跑动"], "dimensions": {"服务态度": 1, "服务效率": 2},
                    "comment": "排队太久"}, BUNDLE, "1星（态度差、多次跑动）；分项：服务态度1星、服务效率2星 排队太久"),
    ("case.rated", {"level": 3, "reasons": [], "dimensions": {}, "comment": ""}, BUNDLE, "3星"),
    ("case.rated", {"level": 2, "dimensions": {"服务态度": 2}}, BUNDLE, "2星；分项：服务态度2星"),
    ("case.rated", {}, BUNDLE, "星"),
    # case.follow_up
    ("case.follow_up", {"step": "verified", "note": "已致电核实"}, BUNDLE, "已核实：已致电核实"),
    ("case.follow_up", {"step": "closed"}, BUNDLE, "已办结："),
    ("case.follow_up", {"step": "odd", "note": "n"}, BUNDLE, "odd：n"),
    ("case.follow_up", {}, BUNDLE, "："),
    # case.duplicate_flagged (the line is case_state.duplicate_line's)
    ("case.duplicate_flagged", {"principal_name": "张三", "bundle_name": "新生儿出生",
                                "other_tracking_code": "BKW37DX2F2AD",
                                "other_agent": "王五"}, BUNDLE,
     "疑似重复代办：张三的“新生儿出生”另有办件 BKW3-7DX2-F2AD（帮代办员 王五），"
     "两件均已保留并提交复核，请与对方核实后再继续办理"),
    # case.deferral_reminded
    ("case.deferral_reminded", {"channel": "sms", "materials": ["m1", 3, "m9"], "deadline": "2026-12-10",
                                "note": "已发送"}, BUNDLE, "短信提醒补交 身份证、m9（期限 2026-12-10）；已发送"),
    ("case.deferral_reminded", {"channel": "phone", "materials": ["m2"], "deadline": "2026-12-10", "note": ""}, BUNDLE,
     "电话提醒补交 照片（期限 2026-12-10）"),
    ("case.deferral_reminded", {"channel": "pigeon"}, BUNDLE, "提醒补交 （期限 ）"),
    ("case.deferral_reminded", {}, BUNDLE, "提醒补交 （期限 ）"),
    # case.reviewed
    ("case.reviewed", {"note": "已核实"}, BUNDLE, "已核实"),
    ("case.reviewed", {}, BUNDLE, ""),
    # case.document_printed
    ("case.document_printed", {"kind": "notice"}, BUNDLE, "一次性告知书 "),
    ("case.document_printed", {"kind": "termination", "error": ""}, BUNDLE, "终止办理通知书 "),
    ("case.document_printed", {"kind": "odd", "error": "缺纸"}, BUNDLE, "odd 失败：缺纸"),
    ("case.document_printed", {}, BUNDLE, "None "),
]


@pytest.mark.parametrize(("kind", "payload", "bundle", "text"), VECTORS)
def test_describe_event(kind, payload, bundle, text):
    assert describe_event(kind, payload, bundle) == text


def test_a_bare_bundle_names_nothing_and_a_started_case_has_no_bundle_name():
    assert describe_event("case.started", {"tracking_code": "ABCDEFGH"}, BARE) == " 跟踪码 ABCD-EFGH"


@pytest.mark.parametrize(("kind", "payload"), [
    ("case.unknown", {"reason": "x"}),
    ("case.refused", "不属于受理范围"),  # not a dict
    ("case.refused", None),
    ("case.proxy_set", {"proxy": "刘一"}),  # AttributeError: a string has no .get
    ("case.authorisation_set", {"authorisation": ["张三"]}),  # AttributeError
    ("case.dispatched", {"items": 5}),  # TypeError: not iterable
    ("case.notice_issued", {"missing": 7}),  # TypeError
    ("case.rated", {"level": 2, "dimensions": [("服务态度", 2)]}),  # AttributeError: a list has no .items
])
def test_unknown_types_and_unreadable_payloads_say_nothing(kind, payload):
    assert describe_event(kind, payload, BUNDLE) == ""


def test_only_a_dict_is_read_as_a_payload():
    from types import MappingProxyType

    assert describe_event("case.refused", MappingProxyType({"reason": "重复受理"}), BUNDLE) == ""


def test_a_value_error_inside_a_describer_says_nothing():
    class Odd:
        def __str__(self):
            raise ValueError("unreadable")

    assert describe_event("case.claimed", {"user": Odd()}, BUNDLE) == ""


def test_every_label():
    assert EVENT_LABELS == {
        "case.started": "开始办件", "case.claimed": "接手", "case.applicant_set": "申请人信息",
        "case.proxy_set": "代办人", "case.step_set": "进入步骤", "case.answer_set": "回答情形",
        "case.material_marked": "材料状态", "case.field_set": "填写表单", "case.notice_issued": "一次性告知",
        "case.accepted": "受理", "case.accepted_deferred": "容缺受理", "case.deferred_supplied": "补交容缺材料",
        "case.refused": "不予受理", "case.dispatched": "分发部门", "case.item_result": "部门办理结果",
        "case.handed_over": "送达", "case.rated": "评价", "case.follow_up": "差评整改回访", "case.voided": "作废",
        "case.reviewed": "核对完毕", "case.document_printed": "打印文书", "case.supplemented": "补正材料",
        "case.terminated": "终止/撤销", "case.check_recorded": "告知承诺核查", "case.deferral_reminded": "提醒补交",
        "case.authorisation_set": "授权委托", "case.duplicate_flagged": "疑似重复代办",
    }
    assert event_label("case.voided") == "作废"
    assert event_label("enquiry.opened") == "enquiry.opened"
    assert CLEARED == "（清空）"
