"""What changed in a bundle since the version last published: items (and their limits),
questions, rules, materials and fields, in words a reviewer reads. Pure."""

from __future__ import annotations

from typing import Any

from hall_app.domain.bundle import Bundle

# per kind: (list name, key of an entry, label, attributes compared and their labels)
_PARTS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("items", "code", "事项", {"name": "名称", "department": "部门", "statutory_days": "法定时限",
                               "promised_days": "承诺时限", "output": "出件", "mailable": "可邮寄", "when": "条件"}),
    ("questions", "id", "问题", {"text": "问题", "choices": "选项", "ask_if": "何时问", "prefill": "预填"}),
    ("rules", "when", "规则", {"add_items": "增加事项", "drop_items": "不办事项", "add_materials": "增加材料",
                               "drop_materials": "免交材料", "reason": "理由"}),
    ("materials", "code", "材料", {"name": "名称", "spec": "规格", "requirement": "要求", "elicence": "电子证照",
                                   "form": "形式", "items": "用于", "when": "条件"}),
    ("fields", "key", "字段", {"label": "名称", "type": "类型", "required": "必填", "prefill": "预填",
                               "items": "用于", "when": "条件"}),
)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(map(str, value)) or "（无）"
    if value is None or value == "":
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _title(entry: dict[str, Any], key: Any) -> str:
    return str(entry.get("name") or entry.get("label") or entry.get("text") or key)


def diff(old: dict[str, Any], new: Bundle) -> list[str]:
    """Lines saying what ``new`` changes against ``old`` (a published bundle's JSON data);
    empty when nothing a reviewer looks at changed."""
    now = new.model_dump(mode="json")
    lines: list[str] = []
    for key, label in (("lead_department", "牵头部门"), ("cooperating_departments", "配合部门"), ("name", "名称")):
        if old.get(key) != now.get(key):
            lines.append(f"  {label}：{_show(old.get(key))} → {_show(now.get(key))}")
    for part, key, label, attrs in _PARTS:
        before = {e.get(key): e for e in old.get(part, [])}
        after = {e.get(key): e for e in now[part]}  # the dump has every part
        lines += [f"  新增{label}：{_title(after[k], k)}" for k in after if k not in before]
        lines += [f"  删除{label}：{_title(before[k], k)}" for k in before if k not in after]
        for k in [k for k in after if k in before]:
            changes = [f"{name} {_show(before[k].get(a))} → {_show(after[k].get(a))}"
                       for a, name in attrs.items() if before[k].get(a) != after[k].get(a)]
            if changes:
                lines.append(f"  修改{label}“{_title(after[k], k)}”：{'；'.join(changes)}")
    return lines
