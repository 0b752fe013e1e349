"""What changed in a bundle since its published version (hall_app/domain/bundle_diff.py),
line by line in the reviewer's words (docs/mutation.md): a tiny hand-made bundle against
its own JSON with one change at a time."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from hall_app.domain.bundle import Bundle
from hall_app.domain.bundle_diff import _show, diff

NEW = Bundle.model_validate({
    "code": "tiny", "name": "小套餐", "kind": "个人", "life_stage": "出生", "lead_department": "部门甲",
    "cooperating_departments": ["部门乙"], "source": "test", "version": 2,
    "items": [{"code": "i1", "name": "出生登记", "department": "部门甲", "statutory_days": 5, "promised_days": 3,
               "output": "出生证"},
              {"code": "i2", "name": "参保", "department": "部门乙", "statutory_days": 9, "promised_days": 9,
               "output": "参保卡", "mailable": True, "when": "a = 是"}],
    "questions": [{"id": "a", "text": "是否参保？"}],
    "rules": [{"when": "a = 否", "drop_items": ["i2"], "reason": "未参保"}],
    "materials": [{"code": "m1", "name": "身份证", "spec": "有效期内", "items": ["i1", "i2"], "elicence": "身份证"}],
    "fields": [{"key": "f1", "label": "姓名", "items": ["i1"]}],
})
PUBLISHED: dict[str, Any] = NEW.model_dump(mode="json")


def published(change: Any) -> dict[str, Any]:
    old = copy.deepcopy(PUBLISHED)
    change(old)
    return old


@pytest.mark.parametrize(("value", "shown"), [
    ([], "（无）"), (["a"], "a"), (["a", "b", 3], "a、b、3"), (None, "（无）"), ("", "（无）"),
    (True, "是"), (False, "否"), (0, "0"), (7, "7"), ("文字", "文字"), ([""], "（无）"),
])
def test_how_a_value_is_shown(value: Any, shown: str) -> None:
    assert _show(value) == shown


def test_nothing_changed_says_nothing() -> None:
    assert diff(PUBLISHED, NEW) == []
    # what the reviewer does not look at: the version, keywords, an item's note
    assert diff(published(lambda o: o.update(version=1, keywords=["旧"])), NEW) == []
    assert diff(published(lambda o: o["items"][0].update(note="旧备注")), NEW) == []


def test_the_bundle_s_own_lines() -> None:
    old = published(lambda o: o.update(lead_department="部门丙", cooperating_departments=[], name="旧套餐"))
    assert diff(old, NEW) == ["  牵头部门：部门丙 → 部门甲", "  配合部门：（无） → 部门乙", "  名称：旧套餐 → 小套餐"]
    old = published(lambda o: [o.pop(k) for k in ("lead_department", "cooperating_departments", "name")])
    assert diff(old, NEW) == ["  牵头部门：（无） → 部门甲", "  配合部门：（无） → 部门乙", "  名称：（无） → 小套餐"]


def test_entries_added_and_removed_with_their_titles() -> None:
    def change(o: dict[str, Any]) -> None:
        o["items"] = [o["items"][0], {"code": "i9", "name": "旧事项"}]  # i2 is new, i9 is gone
        o["questions"] = [{"id": "z"}]  # a title falls back to the key
        o["rules"] = []
        o["materials"] = [o["materials"][0], {"code": "m9", "name": "", "label": "", "text": "旧材料文"}]
        del o["fields"]

    assert diff(published(change), NEW) == [
        "  新增事项：参保", "  删除事项：旧事项",
        "  新增问题：是否参保？", "  删除问题：z",
        "  新增规则：a = 否",
        "  删除材料：旧材料文",
        "  新增字段：姓名",
    ]


def test_each_attribute_changed_in_words() -> None:
    def change(o: dict[str, Any]) -> None:
        i2 = o["items"][1]
        i2.update(name="旧参保", department="部门丙", statutory_days=10, promised_days=8, output="旧卡",
                  mailable=False, when=None)
        o["questions"][0].update(text="旧问题？", choices=["是"], ask_if="b = 1", prefill="has(证)")
        o["rules"][0].update(add_items=["i1"], drop_items=[], add_materials=["m1"], drop_materials=["m1", "m2"],
                             reason=None)
        o["materials"][0].update(name="旧身份证", spec="旧规格", requirement="optional", elicence=None,
                                 form="copy", items=["i1"], when="a = 是")
        o["fields"][0].update(label="旧姓名", type="name", required=False, prefill="person.name", items=[],
                              when="a = 否")

    assert diff(published(change), NEW) == [
        "  修改事项“参保”：名称 旧参保 → 参保；部门 部门丙 → 部门乙；法定时限 10 → 9；承诺时限 8 → 9；"
        "出件 旧卡 → 参保卡；可邮寄 否 → 是；条件 （无） → a = 是",
        "  修改问题“是否参保？”：问题 旧问题？ → 是否参保？；选项 是 → （无）；何时问 b = 1 → （无）；"
        "预填 has(证) → （无）",
        "  修改规则“a = 否”：增加事项 i1 → （无）；不办事项 （无） → i2；增加材料 m1 → （无）；"
        "免交材料 m1、m2 → （无）；理由 （无） → 未参保",
        "  修改材料“身份证”：名称 旧身份证 → 身份证；规格 旧规格 → 有效期内；要求 optional → required；"
        "电子证照 （无） → 身份证；形式 copy → original；用于 i1 → i1、i2；条件 a = 是 → （无）",
        "  修改字段“姓名”：名称 旧姓名 → 姓名；类型 name → text；必填 否 → 是；预填 person.name → （无）；"
        "用于 （无） → i1；条件 a = 否 → （无）",
    ]


def test_one_change_is_one_line_and_an_attribute_missing_before_counts() -> None:
    assert diff(published(lambda o: o["items"][0].update(promised_days=4)), NEW) == [
        "  修改事项“出生登记”：承诺时限 4 → 3"]
    assert diff(published(lambda o: o["items"][0].pop("output")), NEW) == ["  修改事项“出生登记”：出件 （无） → 出生证"]
    old = published(lambda o: o["items"].reverse())  # order alone is no change
    assert diff(old, NEW) == []
