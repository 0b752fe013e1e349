"""The bundle (一件事) definition: what a catalog file must say, checked strictly.

A bundle file is parsed into these models; anything unknown, missing, mistyped or
pointing nowhere is an error with the field path. Conditions are parsed here once,
so a broken condition fails at load time, not in front of a citizen.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from hall_app.domain import conditions as cond

# Size limits of a bundle file: generous (several times the largest shipped bundle),
# but a file cannot make the loader, the planner or a screen work without bound.
# `hall-app bundles check` names the limit a file breaks.
LIMITS = {
    "file_bytes": 256 * 1024,  # the TOML file itself (largest shipped: 16 KB)
    "items": 40, "questions": 60, "rules": 100, "materials": 100, "fields": 100,
    "choices": 20, "keywords": 50, "departments": 30, "refs": 40,  # codes listed in one entry
    "text": 200,  # names, labels, departments, specs, question texts
    "long_text": 1000,  # summary, help, reason, note
    "source": 4000, "condition": 1000,  # characters of one condition (its depth: conditions.py)
}
L = LIMITS

Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=L["text"])]
LongText = Annotated[str, Field(max_length=L["long_text"])]
Condition = Annotated[str, Field(max_length=L["condition"])]
Refs = Annotated[list[Code], Field(max_length=L["refs"])]

FieldType = Literal["text", "name", "citizen_id", "uscc", "mobile", "phone", "date", "choice", "address", "number"]
Requirement = Literal["required", "optional", "deferrable"]
MaterialForm = Literal["original", "copy", "original_and_copy", "electronic"]

FORM_LABELS = {"original": "原件", "copy": "复印件", "original_and_copy": "原件及复印件", "electronic": "电子件"}
REQUIREMENT_LABELS = {"required": "必交", "optional": "选交", "deferrable": "可容缺"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_condition(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        cond.parse(value)
    except cond.ConditionError as exc:
        shown = value if len(value) <= 80 else value[:60] + f"……（共 {len(value)} 字）"
        raise ValueError(f"条件“{shown}”有误：{exc}") from None
    return value


class Conditional(_Strict):
    when: Condition | None = None
    reason: LongText | None = None

    _when_node: cond.Node | None = PrivateAttr(default=None)

    @field_validator("when")
    @classmethod
    def _v_when(cls, value: str | None) -> str | None:
        return _check_condition(value)

    def model_post_init(self, __context: object) -> None:
        self._when_node = cond.parse(self.when) if self.when else None

    @property
    def when_node(self) -> cond.Node | None:
        return self._when_node


class ItemDef(Conditional):
    code: Code
    name: Text
    department: Text
    statutory_days: int = Field(ge=0, le=3650)
    promised_days: int = Field(ge=0, le=3650)
    output: Text
    mailable: bool = False
    commitment: bool = False  # may be decided on a signed 告知承诺 (post-checked later, docs/dispatch.md)
    note: LongText | None = None

    @model_validator(mode="after")
    def _promise_within_law(self) -> "ItemDef":
        if self.promised_days > self.statutory_days:
            raise ValueError(f"承诺时限（{self.promised_days}）不能长于法定时限（{self.statutory_days}）")
        return self


class QuestionDef(_Strict):
    id: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
    text: Text
    kind: Literal["yesno", "choice"] = "yesno"
    choices: list[Text] = Field(default_factory=list, max_length=L["choices"])
    ask_if: Condition | None = None
    prefill: Condition | None = None  # yes/no only: when this holds on the file, the answer is 是
    help: LongText | None = None

    _ask_node: cond.Node | None = PrivateAttr(default=None)
    _prefill_node: cond.Node | None = PrivateAttr(default=None)

    @field_validator("ask_if", "prefill")
    @classmethod
    def _v_ask(cls, value: str | None) -> str | None:
        return _check_condition(value)

    def model_post_init(self, __context: object) -> None:
        self._ask_node = cond.parse(self.ask_if) if self.ask_if else None
        self._prefill_node = cond.parse(self.prefill) if self.prefill else None

    @model_validator(mode="after")
    def _choices(self) -> "QuestionDef":
        if self.kind == "yesno":
            if self.choices and self.choices != ["是", "否"]:
                raise ValueError("是否题的选项固定为 [是, 否]，不必填写 choices")
            if self._prefill_node is not None and cond.questions_in(self._prefill_node):
                raise ValueError("prefill 只能依据电子证照 has(…) 或档案 fact.…，不能引用其他问题")
        elif self.prefill:
            raise ValueError("只有是否题可以由档案预填答案（prefill）")
        elif len(self.choices) < 2:
            raise ValueError("选择题至少需要两个选项")
        elif len(set(self.choices)) != len(self.choices):
            raise ValueError("选项有重复")
        return self

    @property
    def options(self) -> list[str]:
        return ["是", "否"] if self.kind == "yesno" else list(self.choices)

    @property
    def ask_node(self) -> cond.Node | None:
        return self._ask_node

    @property
    def prefill_node(self) -> cond.Node | None:
        return self._prefill_node


class RuleDef(_Strict):
    when: Condition
    reason: LongText | None = None
    add_items: Refs = Field(default_factory=list)
    drop_items: Refs = Field(default_factory=list)
    add_materials: Refs = Field(default_factory=list)
    drop_materials: Refs = Field(default_factory=list)

    _when_node: cond.Node | None = PrivateAttr(default=None)
    @field_validator("when")
    @classmethod
    def _v_when(cls, value: str) -> str:
        return _check_condition(value) or ""

    def model_post_init(self, __context: object) -> None:
        self._when_node = cond.parse(self.when)

    @property
    def when_node(self) -> cond.Node:
        assert self._when_node is not None
        return self._when_node

    @model_validator(mode="after")
    def _does_something(self) -> "RuleDef":
        if not (self.add_items or self.drop_items or self.add_materials or self.drop_materials):
            raise ValueError("规则没有增减任何事项或材料")
        return self


class MaterialDef(Conditional):
    code: Code
    material: Code | None = None  # its code in the material dictionary (filled in by the loader)
    name: Text
    spec: Text
    validity: Text | None = None  # from the dictionary: how long / in what state it is accepted
    items: Refs = Field(min_length=1)
    requirement: Requirement = "required"
    elicence: Annotated[str, Field(max_length=L["text"])] | None = None
    form: MaterialForm = "original"
    copies: int = Field(default=1, ge=0, le=20)


class FieldDef(Conditional):
    key: Code
    label: Text
    type: FieldType = "text"
    required: bool = True
    items: Refs = Field(default_factory=list)
    prefill: Annotated[str, Field(max_length=L["text"])] | None = None
    choices: list[Text] = Field(default_factory=list, max_length=L["choices"])
    max_length: int | None = Field(default=None, ge=1, le=2000)

    @field_validator("prefill")
    @classmethod
    def _prefill_source(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(person|firm|elicence:[^.]+)\.[a-z_]+$", value):
            raise ValueError("预填来源应为 person.字段、firm.字段 或 elicence:证照名.字段")
        return value

    @model_validator(mode="after")
    def _choice_has_choices(self) -> "FieldDef":
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError("选择型字段至少需要两个选项")
        return self


class DeferralPolicy(_Strict):
    """What the 容缺受理承诺书 promises for a deferral (docs/dispatch.md, domain/deferral.py):
    a reminder ``remind_before_days`` working days before the deadline, ``grace_days``
    working days after it, then ``on_overdue``: 终止办理 (terminate), 撤销受理 (revoke),
    or only reminders (remind_only). ``days``: the deadline, in working days from the
    acceptance (unset: the hall's ``[deadlines] deferral_days``)."""

    days: int | None = Field(default=None, ge=1, le=60)
    remind_before_days: int = Field(default=2, ge=0, le=30)
    grace_days: int = Field(default=0, ge=0, le=30)
    on_overdue: Literal["terminate", "revoke", "remind_only"] = "terminate"

    @model_validator(mode="after")
    def _reminder_within_deadline(self) -> "DeferralPolicy":
        if self.days is not None and self.remind_before_days >= self.days:
            raise ValueError(f"提前提醒天数（{self.remind_before_days}）应少于补交期限（{self.days} 个工作日）")
        return self


class Bundle(_Strict):
    code: Code
    name: Text
    kind: Literal["个人", "企业"]
    life_stage: Text
    lead_department: Text
    cooperating_departments: list[Text] = Field(default_factory=list, max_length=L["departments"])
    keywords: list[Text] = Field(default_factory=list, max_length=L["keywords"])
    differs: str | None = Field(default=None, max_length=40)  # one line telling it from look-alikes (need search)
    summary: LongText | None = None
    source: Annotated[str, Field(min_length=1, max_length=L["source"])]
    version: int = Field(ge=1)
    complete: bool = False
    items: list[ItemDef] = Field(default_factory=list, max_length=L["items"])
    questions: list[QuestionDef] = Field(default_factory=list, max_length=L["questions"])
    rules: list[RuleDef] = Field(default_factory=list, max_length=L["rules"])
    materials: list[MaterialDef] = Field(default_factory=list, max_length=L["materials"])
    fields: list[FieldDef] = Field(default_factory=list, max_length=L["fields"])
    deferral: DeferralPolicy = Field(default_factory=DeferralPolicy)  # 容缺: what the 承诺书 promises

    @model_validator(mode="after")
    def _references(self) -> "Bundle":
        errors: list[str] = []
        for label, codes in (
            ("事项编号", [i.code for i in self.items]),
            ("问题编号", [q.id for q in self.questions]),
            ("材料编号", [m.code for m in self.materials]),
            ("表单字段", [f.key for f in self.fields]),
        ):
            seen: set[str] = set()
            for code in codes:
                if code in seen:
                    errors.append(f"{label}重复：{code}")
                seen.add(code)
        item_codes = {i.code for i in self.items}
        material_codes = {m.code for m in self.materials}
        questions = {q.id: q for q in self.questions}

        def check_condition(where: str, node: cond.Node | None, allowed: set[str]) -> None:
            if node is None:
                return
            for compare in cond.compares_in(node):
                if compare.name.startswith("fact."):
                    continue
                if compare.name not in questions:
                    errors.append(f"{where}：条件引用了不存在的问题 {compare.name}")
                elif compare.name not in allowed:
                    errors.append(f"{where}：条件引用了排在其后的问题 {compare.name}")
                else:
                    options = questions[compare.name].options
                    for value in compare.values:
                        if value not in options:
                            errors.append(
                                f"{where}：问题 {compare.name} 没有选项“{value}”（可选：{'、'.join(options)}）"
                            )

        all_questions = set(questions)
        earlier: set[str] = set()
        for index, question in enumerate(self.questions):
            check_condition(f"questions[{index}]（{question.id}）.ask_if", question.ask_node, earlier)
            earlier.add(question.id)
        for index, item in enumerate(self.items):
            check_condition(f"items[{index}]（{item.code}）.when", item.when_node, all_questions)
        for index, rule in enumerate(self.rules):
            where = f"rules[{index}]"
            check_condition(f"{where}.when", rule.when_node, all_questions)
            for code in rule.add_items + rule.drop_items:
                if code not in item_codes:
                    errors.append(f"{where}：引用了不存在的事项 {code}")
            for code in rule.add_materials + rule.drop_materials:
                if code not in material_codes:
                    errors.append(f"{where}：引用了不存在的材料 {code}")
        for index, material in enumerate(self.materials):
            where = f"materials[{index}]（{material.code}）"
            check_condition(f"{where}.when", material.when_node, all_questions)
            for code in material.items:
                if code not in item_codes:
                    errors.append(f"{where}.items：引用了不存在的事项 {code}")
        for index, form_field in enumerate(self.fields):
            where = f"fields[{index}]（{form_field.key}）"
            check_condition(f"{where}.when", form_field.when_node, all_questions)
            for code in form_field.items:
                if code not in item_codes:
                    errors.append(f"{where}.items：引用了不存在的事项 {code}")
        if self.complete:
            for label, values in (("事项", self.items), ("材料", self.materials), ("表单字段", self.fields)):
                if not values:
                    errors.append(f"complete = true 的套餐必须定义{label}")
        if errors:
            raise ValueError("；".join(errors))
        return self

    def item(self, code: str) -> ItemDef:
        return next(i for i in self.items if i.code == code)

    def question(self, question_id: str) -> QuestionDef:
        return next(q for q in self.questions if q.id == question_id)

    @property
    def departments(self) -> list[str]:
        seen = [self.lead_department]
        for dept in self.cooperating_departments + [i.department for i in self.items]:
            if dept not in seen:
                seen.append(dept)
        return seen
