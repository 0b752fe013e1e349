"""Vectors for hall_app/domain/review.py: where a bundle stands from its records
(table: draft, checked, reviewed, published, an edit after a review, records of other
codes or other content, the latest record winning, short times), and the reviewer's
text of a small hand-made bundle compared whole, with a sampled dry run and an
exhaustive one. Pure, no I/O."""

from __future__ import annotations

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.bundle_audit import DryRun
from hall_app.domain.review import FIELD_TYPE_LABELS, STATE_LABELS, STATES, Record, Status, reviewer_text, status_of


def _item(code, name, dept, sd, pd, out, **extra):
    return {"code": code, "name": name, "department": dept, "statutory_days": sd, "promised_days": pd, "output": out,
            **extra}


MINI = Bundle(
    code="mini", name="小事项", kind="个人", life_stage="出生", lead_department="民政局",
    cooperating_departments=["医保局"], source="test", version=2, complete=True,
    items=[_item("i1", "出生登记", "公安局", 20, 5, "户口簿", mailable=True),
           _item("i2", "参保登记", "医保局", 10, 3, "参保凭证", when="q1 = 是"),
           _item("i3", "补办", "民政局", 0, 0, "证明", when="false")],
    questions=[{"id": "q1", "text": "是否参保？"},
               {"id": "q2", "text": "随谁落户", "kind": "choice", "choices": ["父", "母"], "ask_if": "q1 = 否"},
               {"id": "q3", "text": "是否有证", "prefill": "has(出生证)"}],
    rules=[{"when": "q1 = 是", "reason": "参保者", "add_items": ["i2"], "add_materials": ["m2"]},
           {"when": "q2 = 母", "drop_items": ["i2"], "drop_materials": ["m1", "m3"]},
           {"when": "q3 = 是", "drop_materials": ["m2"]}],
    materials=[{"code": "m1", "name": "身份证", "spec": "二代证", "items": ["i1"], "elicence": "居民身份证",
                "validity": "有效期内"},
               {"code": "m2", "name": "照片", "spec": "白底", "items": ["i1", "i2"], "form": "copy", "copies": 2,
                "requirement": "deferrable", "when": "q1 = 是"},
               {"code": "m3", "name": "证明", "spec": "盖章", "items": ["i3"], "form": "electronic", "copies": 0,
                "requirement": "optional"}],
    fields=[{"key": "f1", "label": "姓名", "type": "name"},
            {"key": "f2", "label": "电话", "type": "mobile", "required": False, "prefill": "person.phone",
             "items": ["i1", "i2"], "when": "q1 = 是"},
            {"key": "f3", "label": "备注", "items": ["i3"]}],
)
RUN = DryRun(combinations=6, exhaustive=False, rules_fired={0, 2}, items_reached={"i1", "i2"},
             dead_ends=[{"q1": "否"}, {"q1": "是"}], fields_saved=[3, 1], exempt_max=1, item_counts=[2, 1])


def test_reviewer_text_whole():
    assert reviewer_text(MINI, RUN, iter(["问题一", "问题二"])) == TEXT


def test_reviewer_text_with_every_item_reached_and_every_rule_fired():
    run = DryRun(rules_fired={0, 1, 2}, items_reached={"i1", "i2", "i3"})
    assert reviewer_text(MINI, run) == TEXT[:33] + PASSED


def test_two_cooperating_departments_and_two_items_never_reached():
    data = MINI.model_dump(exclude_unset=True)
    data["cooperating_departments"] = ["医保局", "公安局"]
    text = reviewer_text(Bundle(**data), DryRun(items_reached={"i1"}, rules_fired={1}))
    assert text[1] == "牵头部门：民政局；配合部门：医保局、公安局"
    assert text[-5:-2] == ["  从未进入清单的事项：参保登记、补办", "  从未生效的规则：第1条、第3条",
                           "  死路（没有任何事项的答案组合）：无"]


def test_no_cooperating_department_and_a_number_field():
    data = MINI.model_dump(exclude_unset=True)
    data["cooperating_departments"] = []
    data["fields"][0]["type"] = "number"
    text = reviewer_text(Bundle(**data), RUN)
    assert text[1] == "牵头部门：民政局"
    assert text[2] == "共 3 个事项，涉及 3 个部门；法定时限合计 30 个工作日，承诺合计 8 个工作日"
    assert text[28] == "  1. 姓名（数字）用于：全部事项"


TEXT = [
    '小事项（mini，第2版，个人·出生）',
    '牵头部门：民政局；配合部门：医保局',
    '共 3 个事项，涉及 3 个部门；法定时限合计 30 个工作日，承诺合计 8 个工作日',
    '',
    '一、事项',
    '  1. 出生登记｜公安局｜法定 20 个工作日，承诺 5 个工作日｜出件：户口簿，可邮寄',
    '  2. 参保登记｜医保局｜法定 10 个工作日，承诺 3 个工作日｜出件：参保凭证（当：是否参保：是）',
    '  3. 补办｜民政局｜法定 0 个工作日，承诺 0 个工作日｜出件：证明（当：从不）',
    '',
    '二、情形问题（窗口逐题选择）',
    '  1. 是否参保？ 选项：是／否',
    '  2. 随谁落户 选项：父／母（仅当：是否参保：否）',
    '  3. 是否有证 选项：是／否（档案可预填：已有电子证照“出生证”）',
    '',
    '三、规则（答案如何改变清单）',
    '  1. 当 是否参保：是 时，增加事项：参保登记；增加材料：照片。理由：参保者',
    '  2. 当 随谁落户：母 时，不办事项：参保登记；免交材料：身份证、证明',
    '  3. 当 是否有证：是 时，免交材料：照片',
    '',
    '四、材料',
    '  1. 身份证［原件，必交，电子证照“居民身份证”在库可免交，有效要求：有效期内］用于：出生登记',
    '     规格：二代证',
    '  2. 照片［复印件 2 份，可容缺］用于：出生登记、参保登记（当：是否参保：是）',
    '     规格：白底',
    '  3. 证明［电子件 0 份，选交］用于：补办',
    '     规格：盖章',
    '',
    '五、一表申报字段（同一字段只填一次）',
    '  1. 姓名（姓名）用于：全部事项',
    '  2. 电话（手机号，选填，预填自 person.phone）用于：出生登记、参保登记（当：是否参保：是）',
    '  3. 备注（文字）用于：补办',
    '',
    '六、试运行（按情形答案逐一生成办理清单）',
    '  试算 6 组答案（抽样（组合过多））；每组事项 1–2 个；一表申报少填 1–3 项；电子证照在库时最多免交 1 项材料',
    '  从未进入清单的事项：补办',
    '  从未生效的规则：第2条',
    '  死路（没有任何事项的答案组合）：2',
    '',
    '七、校验结果：2 个问题',
    '  - 问题一',
    '  - 问题二',
]
PASSED = [
    '  试算 0 组答案（全部组合）；每组事项 0–0 个；一表申报少填 0–0 项；电子证照在库时最多免交 0 项材料',
    '  从未进入清单的事项：无',
    '  从未生效的规则：无',
    '  死路（没有任何事项的答案组合）：无',
    '',
    '七、校验结果：通过',
]

H_NOW, H_OLD = "hash-now", "hash-old"


def rec(status, by, at, content=H_NOW, code="mini"):
    return Record(code, content, 2, status, by, at)


REVIEWED = rec("reviewed", "张三", "2026-12-01T09:30:00+00:00")
REVIEWED_LATER = rec("reviewed", "赵六", "2026-12-01T10:45:00+00:00")
PUBLISHED = rec("published", "李四", "2026-12-02T08:05:00+00:00")
PUBLISHED_EARLY = rec("published", "周九", "2026-12-01T18:00:00+00:00")
OLD = rec("reviewed", "王五", "2026-10-02T11:00:00+00:00", H_OLD)
OLD_LATER = rec("published", "钱七", "2026-11-03T12:00:00+00:00", H_OLD)
OTHER_CODE = rec("published", "孙八", "2026-12-03T12:00:00+00:00", code="other")
EDITED = "；审核后已修改（原审核：钱七，2026-11-03），需重新审核"
DRAFT = MINI.model_copy(update={"complete": False})


@pytest.mark.parametrize(("bundle", "problems", "records", "status"), [
    (DRAFT, 0, [], Status("mini", "draft", "未完成（complete = false）")),
    (DRAFT, 2, [OLD, OLD_LATER, REVIEWED], Status("mini", "draft", "未完成（complete = false）", stale=OLD_LATER)),
    (MINI, 3, [], Status("mini", "draft", "校验未通过：3 个错误")),
    (MINI, 3, [OLD_LATER, OLD], Status("mini", "draft", "校验未通过：3 个错误" + EDITED, stale=OLD_LATER)),
    (MINI, 1, [OLD, REVIEWED], Status("mini", "draft", "校验未通过：1 个错误", stale=OLD)),
    (MINI, 0, [], Status("mini", "checked", "校验通过，待审核")),
    (MINI, 0, [OTHER_CODE], Status("mini", "checked", "校验通过，待审核")),
    (MINI, 0, [OLD, OLD_LATER], Status("mini", "checked", "校验通过，待审核" + EDITED, stale=OLD_LATER)),
    (MINI, 0, [REVIEWED], Status("mini", "reviewed", "张三 于 2026-12-01 09:30 UTC 审核通过", REVIEWED)),
    (MINI, 0, [REVIEWED_LATER, REVIEWED, OLD],
     Status("mini", "reviewed", "赵六 于 2026-12-01 10:45 UTC 审核通过", REVIEWED_LATER, stale=OLD)),
    (MINI, 0, [REVIEWED, REVIEWED_LATER], Status("mini", "reviewed", "赵六 于 2026-12-01 10:45 UTC 审核通过",
                                                 REVIEWED_LATER)),
    (MINI, 0, [PUBLISHED], Status("mini", "checked", "校验通过，待审核")),  # never reviewed: not published
    (MINI, 0, [OLD_LATER, PUBLISHED, REVIEWED, OTHER_CODE],
     Status("mini", "published", "李四 于 2026-12-02 08:05 UTC 发布", REVIEWED, PUBLISHED, OLD_LATER)),
    (MINI, 0, [PUBLISHED_EARLY, REVIEWED, PUBLISHED],
     Status("mini", "published", "李四 于 2026-12-02 08:05 UTC 发布", REVIEWED, PUBLISHED)),  # the latest release
    (MINI, 0, [rec("reviewed", "张三", "2026-12-01T09:30")],
     Status("mini", "reviewed", "张三 于 2026-12-01 09:30 UTC 审核通过", rec("reviewed", "张三", "2026-12-01T09:30"))),
    (MINI, 0, [rec("reviewed", "张三", "2026-12-01T09:3")],
     Status("mini", "reviewed", "张三 于 2026-12-01T09:3 审核通过", rec("reviewed", "张三", "2026-12-01T09:3"))),
])
def test_status_of(bundle, problems, records, status):
    assert status_of(bundle, H_NOW, problems, iter(records)) == status


def test_labels():
    assert STATES == ("draft", "checked", "reviewed", "published")
    assert STATE_LABELS == {"draft": "草稿", "checked": "已校验", "reviewed": "已审核", "published": "已发布"}
    assert len(FIELD_TYPE_LABELS) == 10 and FIELD_TYPE_LABELS["citizen_id"] == "身份证号"
