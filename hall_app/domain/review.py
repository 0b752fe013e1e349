"""Review before launch (上线前审核): a bundle file's status and what a reviewer reads.

A bundle goes draft → checked → reviewed → published. Reviews and releases are
records (who, when, note) kept apart from the bundle files and tied to the exact
content they were given for (the content hash, which covers what the dictionary
fills in). So an edit after a review drops the bundle back to checked (or draft, when
the edit breaks a check) until it is reviewed again; the records stay as history.

Pure: the records are read and written by bundles/reviews.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from hall_app.domain.bundle import FORM_LABELS, REQUIREMENT_LABELS, Bundle
from hall_app.domain.bundle_audit import DryRun
from hall_app.domain.conditions import Node
from hall_app.domain.planner import describe

State = Literal["draft", "checked", "reviewed", "published"]
STATES: tuple[State, ...] = ("draft", "checked", "reviewed", "published")
STATE_LABELS = {"draft": "草稿", "checked": "已校验", "reviewed": "已审核", "published": "已发布"}
FIELD_TYPE_LABELS = {"text": "文字", "name": "姓名", "citizen_id": "身份证号", "uscc": "统一社会信用代码",
                     "mobile": "手机号", "phone": "电话", "date": "日期", "choice": "选择", "address": "地址",
                     "number": "数字"}


@dataclass(frozen=True)
class Record:
    code: str
    content_hash: str
    version: int
    status: Literal["reviewed", "published"]
    by: str
    at: str  # ISO time, UTC
    note: str = ""


@dataclass(frozen=True)
class Status:
    code: str
    state: State
    why: str  # one line: what holds it there / who moved it
    reviewed: Record | None = None  # the review of this exact content
    published: Record | None = None
    stale: Record | None = None  # the latest record of an earlier content (edited since)


def _when(at: str) -> str:
    return f"{at[:10]} {at[11:16]} UTC" if len(at) >= 16 else at


def status_of(bundle: Bundle, content_hash: str, problems: int, records: Iterable[Record]) -> Status:
    """Where the bundle stands: computed from its content now, its check result and the
    records of its code (any order)."""
    mine = [r for r in records if r.code == bundle.code]
    same = [r for r in mine if r.content_hash == content_hash]
    older = [r for r in mine if r.content_hash != content_hash]
    stale = max(older, key=lambda r: r.at) if older else None
    reviewed = max((r for r in same if r.status == "reviewed"), key=lambda r: r.at, default=None)
    published = max((r for r in same if r.status == "published"), key=lambda r: r.at, default=None)
    edited = f"；审核后已修改（原审核：{stale.by}，{stale.at[:10]}），需重新审核" if stale and not same else ""
    if not bundle.complete:
        return Status(bundle.code, "draft", "未完成（complete = false）", stale=stale)
    if problems:
        return Status(bundle.code, "draft", f"校验未通过：{problems} 个错误{edited}", stale=stale)
    if published is not None and reviewed is not None:
        return Status(bundle.code, "published", f"{published.by} 于 {_when(published.at)} 发布",
                      reviewed, published, stale)
    if reviewed is not None:
        return Status(bundle.code, "reviewed", f"{reviewed.by} 于 {_when(reviewed.at)} 审核通过",
                      reviewed, None, stale)
    return Status(bundle.code, "checked", f"校验通过，待审核{edited}", stale=stale)


def _limits(bundle: Bundle) -> str:
    promised = sum(i.promised_days for i in bundle.items)
    statutory = sum(i.statutory_days for i in bundle.items)
    return f"法定时限合计 {statutory} 个工作日，承诺合计 {promised} 个工作日"


def reviewer_text(bundle: Bundle, run: DryRun, findings: Iterable[str] = ()) -> list[str]:
    """What a department reviews, in words (no TOML): items, questions, rules,
    materials, fields, and the planner's dry run over the answer combinations."""
    def when(node: Node | None) -> str:
        return f"（当：{describe(node, bundle)}）" if node is not None else ""

    names = {i.code: i.name for i in bundle.items}
    materials = {m.code: m.name for m in bundle.materials}
    lines = [f"{bundle.name}（{bundle.code}，第{bundle.version}版，{bundle.kind}·{bundle.life_stage}）",
             f"牵头部门：{bundle.lead_department}"
             + (f"；配合部门：{'、'.join(bundle.cooperating_departments)}" if bundle.cooperating_departments else ""),
             f"共 {len(bundle.items)} 个事项，涉及 {len(bundle.departments)} 个部门；{_limits(bundle)}", "",
             "一、事项"]
    for n, i in enumerate(bundle.items, 1):
        post = "，可邮寄" if i.mailable else ""
        lines.append(f"  {n}. {i.name}｜{i.department}｜法定 {i.statutory_days} 个工作日，承诺 {i.promised_days} 个"
                     f"工作日｜出件：{i.output}{post}{when(i.when_node)}")
    lines += ["", "二、情形问题（窗口逐题选择）"]
    for n, q in enumerate(bundle.questions, 1):
        ask = f"（仅当：{describe(q.ask_node, bundle)}）" if q.ask_node is not None else ""
        pre = f"（档案可预填：{describe(q.prefill_node, bundle)}）" if q.prefill_node is not None else ""
        lines.append(f"  {n}. {q.text} 选项：{'／'.join(q.options)}{ask}{pre}")
    lines += ["", "三、规则（答案如何改变清单）"]
    for n, r in enumerate(bundle.rules, 1):
        acts = [f"{label}{'、'.join(table.get(c, c) for c in codes)}" for label, codes, table in (
            ("增加事项：", r.add_items, names), ("不办事项：", r.drop_items, names),
            ("增加材料：", r.add_materials, materials), ("免交材料：", r.drop_materials, materials)) if codes]
        lines.append(f"  {n}. 当 {describe(r.when_node, bundle)} 时，{'；'.join(acts)}"
                     + (f"。理由：{r.reason}" if r.reason else ""))
    lines += ["", "四、材料"]
    for n, m in enumerate(bundle.materials, 1):
        extra = [FORM_LABELS[m.form] + (f" {m.copies} 份" if m.copies != 1 else ""), REQUIREMENT_LABELS[m.requirement]]
        if m.elicence:
            extra.append(f"电子证照“{m.elicence}”在库可免交")
        if m.validity:
            extra.append(f"有效要求：{m.validity}")
        lines.append(f"  {n}. {m.name}［{'，'.join(extra)}］用于：{'、'.join(names.get(c, c) for c in m.items)}"
                     f"{when(m.when_node)}")
        lines.append(f"     规格：{m.spec}")
    lines += ["", "五、一表申报字段（同一字段只填一次）"]
    for n, f in enumerate(bundle.fields, 1):
        pre = f"，预填自 {f.prefill}" if f.prefill else ""
        scope = "、".join(names.get(c, c) for c in f.items) if f.items else "全部事项"
        lines.append(f"  {n}. {f.label}（{FIELD_TYPE_LABELS[f.type]}{'' if f.required else '，选填'}{pre}）"
                     f"用于：{scope}{when(f.when_node)}")
    lines += ["", "六、试运行（按情形答案逐一生成办理清单）"]
    how = "全部组合" if run.exhaustive else "抽样（组合过多）"
    counts = run.item_counts or [0]
    saved = run.fields_saved or [0]
    lines.append(f"  试算 {run.combinations} 组答案（{how}）；每组事项 {min(counts)}–{max(counts)} 个；"
                 f"一表申报少填 {min(saved)}–{max(saved)} 项；电子证照在库时最多免交 {run.exempt_max} 项材料")
    never = [i.name for i in bundle.items if i.code not in run.items_reached]
    lines.append(f"  从未进入清单的事项：{'、'.join(never) if never else '无'}")
    unfired = [str(n) for n, _ in enumerate(bundle.rules, 1) if n - 1 not in run.rules_fired]
    lines.append(f"  从未生效的规则：{'、'.join(f'第{n}条' for n in unfired) if unfired else '无'}")
    lines.append(f"  死路（没有任何事项的答案组合）：{len(run.dead_ends) if run.dead_ends else '无'}")
    found = list(findings)
    lines += ["", "七、校验结果：" + ("通过" if not found else f"{len(found)} 个问题")]
    lines += [f"  - {f}" for f in found]
    return lines
