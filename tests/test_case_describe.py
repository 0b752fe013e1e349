"""What the case view's timeline says of each event: one entry per event type, beside
the handlers (hall_app/domain/case_describe.py), and no heavy imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hall_app.domain.case_describe import EVENT_LABELS, EVENTS, describe_event, event_label
from hall_app.domain.case_handlers import HANDLERS
from hall_app.domain.events import EVENT_TYPES
from tests.test_planner import NEWBORN


def test_one_entry_per_event_type_and_handler():
    case_types = {t for t in EVENT_TYPES if t.startswith("case.")}  # enquiry.* never sit on a case
    assert set(EVENTS) == case_types == set(HANDLERS)
    assert len(set(EVENT_LABELS.values())) == len(EVENT_LABELS)  # no two types read the same
    assert event_label("case.rated") == "评价" and event_label("case.unknown") == "case.unknown"


@pytest.mark.parametrize(("kind", "payload", "text"), [
    ("case.started", {"tracking_code": "BKW37DX2F2AD"}, "新生儿出生 跟踪码 BKW3-7DX2-F2AD"),
    ("case.claimed", {"user": "chenjing"}, "chenjing"),
    ("case.applicant_set", {"key": "uscc", "value": "91330100716105852F"}, "统一社会信用代码：91330100716105852F"),
    ("case.applicant_set", {"key": "phone", "value": ""}, "电话：（清空）"),
    ("case.proxy_set", {"proxy": {"name": "刘一", "relation": "子女"}}, "刘一（子女）"),
    ("case.proxy_set", {"proxy": None}, "本人办理"),
    ("case.step_set", {"step": "materials"}, "材料"),
    ("case.answer_set", {"question": "want_ss_card", "value": "否"}, "是否为新生儿申领社会保障卡？ 否"),
    ("case.answer_set", {"question": "want_ss_card", "value": None}, "是否为新生儿申领社会保障卡？ （清除）"),
    ("case.material_marked", {"material": "baby_photo", "status": "deferred"}, "新生儿近期免冠照片：容缺后补"),
    ("case.field_set", {"key": "baby_name", "value": "刘思远"}, "新生儿姓名=刘思远"),
    ("case.notice_issued", {"missing": ["baby_photo"], "deadline": "2026-11-27", "reason": "补交"},
     "缺：新生儿近期免冠照片；期限 2026-11-27；再次告知原因：补交"),
    ("case.accepted", {"items": {"social_security_card": "2026-11-25"}}, "社会保障卡申领 2026-11-25"),
    ("case.accepted_deferred", {"items": {"social_security_card": "2026-11-25"}}, "社会保障卡申领 2026-11-25"),
    ("case.deferred_supplied", {"material": "baby_photo"}, "新生儿近期免冠照片"),
    ("case.refused", {"reason": "不属于受理范围"}, "不属于受理范围"),
    ("case.dispatched", {"items": ["social_security_card"]}, "社会保障卡申领"),
    ("case.item_result", {"item": "social_security_card", "status": "rejected", "note": "照片不合格"},
     "社会保障卡申领：不予批准（照片不合格）"),
    ("case.handed_over", {"method": "mail"}, "邮政寄递"),
    ("case.rated", {"level": 4, "comment": "快"}, "4星 快"),
    ("case.rated", {"level": 2, "reasons": ["多次跑动"], "dimensions": {"服务态度": 1, "服务效率": 3}},
     "2星（多次跑动）；分项：服务态度1星、服务效率3星"),
    ("case.voided", {"reason": "重复受理"}, "重复受理"),
    ("case.reviewed", {"note": "已核实"}, "已核实"),
    ("case.document_printed", {"kind": "receipt", "error": "缺纸"}, "受理回执 失败：缺纸"),
])
def test_descriptions(kind, payload, text):
    assert describe_event(kind, payload, NEWBORN) == text


def test_unknown_types_and_unreadable_payloads_say_nothing():
    assert describe_event("case.unknown", {}, NEWBORN) == ""
    assert describe_event("case.accepted", "oops", NEWBORN) == ""
    assert describe_event("case.accepted", {"items": ["a"]}, NEWBORN) == ""  # a list where a map belongs


def test_the_module_loads_nothing_heavy():
    code = ("import sys, hall_app.domain.case_describe; "
            "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'textual', 'hall_app.domain.bundle') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
