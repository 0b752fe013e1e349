"""hall-app bundles list|show|check, hall-app plan."""

from __future__ import annotations

import sys

from hall_app.cli.common import UserError, dump_json, open_ctx, translated_errors


def register(sub) -> None:
    bundles = sub.add_parser("bundles", help="套餐目录：列出、查看、校验、审核、发布")
    bsub = bundles.add_subparsers(dest="bundles_command", metavar="ACTION", required=True)
    p = bsub.add_parser("list", help="列出所有套餐")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_list)
    p = bsub.add_parser("show", help="查看一个套餐（编号或中文全称）")
    p.add_argument("code")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)
    p = bsub.add_parser("check", help="校验套餐文件（默认整个目录），有错则非零退出")
    p.add_argument("paths", nargs="*")
    p.set_defaults(handler=cmd_check)
    from hall_app.cli.bundle_dictionary import register as register_dictionary
    from hall_app.cli.bundle_review import register as register_review

    register_review(bsub)
    register_dictionary(bsub)

    p = sub.add_parser("plan", help="按情形答案计算办理清单（事项、材料、表单）")
    p.add_argument("code", help="套餐编号或中文全称")
    p.add_argument("--answer", "-a", action="append", default=[], metavar="Q=V", help="情形答案，可重复")
    p.add_argument("--id-number", help="申请人身份证号码或统一社会信用代码（读取档案与电子证照）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_plan)


def _catalog():
    from bundles.loader import load_catalog

    with translated_errors():
        return load_catalog()


def _bundle(catalog, code: str):
    bundle = catalog.get(code)
    if bundle is None:
        close = [s.bundle.name for s in catalog.search(code, only_complete=False, limit=3)]
        hint = f"；是否要找：{'、'.join(close)}" if close else ""
        raise UserError(f"目录中没有套餐“{code}”{hint}")
    return bundle


def bundle_summary(bundle) -> dict:
    return {
        "code": bundle.code, "name": bundle.name, "kind": bundle.kind, "life_stage": bundle.life_stage,
        "lead_department": bundle.lead_department, "cooperating_departments": bundle.cooperating_departments,
        "items": [{"code": i.code, "name": i.name, "department": i.department} for i in bundle.items],
        "complete": bundle.complete, "version": bundle.version,
    }


def data_summary(b: dict) -> dict:
    """bundle_summary from the validated JSON data of a bundle (the cached catalog)."""
    return {
        "code": b["code"], "name": b["name"], "kind": b["kind"], "life_stage": b["life_stage"],
        "lead_department": b["lead_department"], "cooperating_departments": b["cooperating_departments"],
        "items": [{"code": i["code"], "name": i["name"], "department": i["department"]} for i in b["items"]],
        "complete": b["complete"], "version": b["version"],
    }


def cmd_list(args) -> int:
    """From the cached, validated catalog: no TOML parsing, no pydantic, no database."""
    from bundles.loader import load_index

    with translated_errors():
        index = load_index()
    bundles = sorted((e["bundle"] for e in index), key=lambda b: (b["kind"], b["life_stage"], b["code"]))
    if args.json:
        dump_json([data_summary(b) for b in bundles])
        return 0
    for b in bundles:
        mark = "✓" if b["complete"] else " "
        print(f"{mark} {b['code']:<36} {b['name']}（{b['kind']}·{b['life_stage']}）牵头：{b['lead_department']}")
    print(f"共 {len(bundles)} 项，其中可受理 {sum(1 for b in bundles if b['complete'])} 项（✓）")
    return 0


def cmd_show(args) -> int:
    bundle = _bundle(_catalog(), args.code)
    if args.json:
        dump_json(bundle.model_dump(mode="json"))
        return 0
    print(f"{bundle.name}（{bundle.code}，第{bundle.version}版）{'' if bundle.complete else '【未完成，暂不受理】'}")
    print(f"类别：{bundle.kind}  阶段：{bundle.life_stage}  牵头：{bundle.lead_department}")
    if bundle.cooperating_departments:
        print(f"配合：{'、'.join(bundle.cooperating_departments)}")
    for item in bundle.items:
        print(f"  事项 {item.code}: {item.name}｜{item.department}｜法定{item.statutory_days}个工作日，"
              f"承诺{item.promised_days}个工作日｜出件：{item.output}")
    for q in bundle.questions:
        print(f"  问题 {q.id}: {q.text}（{'/'.join(q.options)}）" + (f" 当 {q.ask_if}" if q.ask_if else ""))
    for m in bundle.materials:
        extra = f"，电子证照“{m.elicence}”可免交" if m.elicence else ""
        print(f"  材料 {m.code}: {m.name}（{m.requirement}{extra}）")
    print(f"  来源：{bundle.source}")
    return 0


def cmd_check(args) -> int:
    from bundles.loader import check

    entries, problems = check(args.paths or None)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"校验失败：{len(problems)} 个错误", file=sys.stderr)
        return 1
    print(f"校验通过：{len(entries)} 个套餐文件")
    return 0


def _answers(raw: list[str]) -> dict[str, str]:
    answers = {}
    for pair in raw:
        if "=" not in pair:
            raise UserError(f"情形答案应写成 问题编号=答案，如 both_local=是（收到“{pair}”）")
        key, value = pair.split("=", 1)
        answers[key.strip()] = value.strip()
    return answers


def cmd_plan(args) -> int:
    from hall_app.domain.planner import Applicant, make_plan

    catalog = _catalog()
    bundle = _bundle(catalog, args.code)
    answers = _answers(args.answer)
    unknown = [k for k in answers if k not in {q.id for q in bundle.questions}]
    if unknown:
        ids = "、".join(q.id for q in bundle.questions)
        raise UserError(f"“{bundle.name}”没有问题：{'、'.join(unknown)}（可用：{ids}）")
    warnings: list[str] = []
    applicant = Applicant()
    if args.id_number:
        from hall_app.services.cases import identify

        check = identify(args.id_number)
        if not check.ok:
            raise UserError(check.error or "证件号码有误")
        warnings += check.warnings
        ctx = open_ctx(args)
        record = ctx.people.lookup(check.value)
        if record is None:
            warnings.append(f"档案中没有 {check.value}，按无电子证照计算")
        else:
            applicant = record.applicant()
    plan = make_plan(bundle, answers, applicant)
    warnings += list(plan.warnings)
    if args.json:
        dump_json(plan_json(plan, warnings))
        return 0
    print_plan(plan, warnings)
    return 0


def plan_json(plan, warnings: list[str]) -> dict:
    return {
        "bundle": {"code": plan.bundle.code, "name": plan.bundle.name},
        "answers": dict(plan.answers),
        "pending_questions": [{"id": q.id, "text": q.text, "choices": q.options} for q in plan.pending],
        "items": [{"code": p.item.code, "name": p.item.name, "department": p.item.department,
                   "promised_days": p.item.promised_days, "reason": p.reason} for p in plan.items],
        "materials": [{"code": p.material.code, "name": p.material.name, "status": p.status,
                       "exempted_by": p.material.elicence if p.status == "exempt" else None,
                       "requirement": p.material.requirement,
                       "deferrable": p.material.requirement == "deferrable", "reason": p.reason,
                       "items": list(p.items)} for p in plan.materials],
        "form_fields": [{"key": f.field.key, "label": f.field.label, "type": f.field.type,
                         "required": f.field.required, "items": list(f.items)} for f in plan.fields],
        "fields_asked": plan.fields_asked,
        "fields_without_merge": plan.fields_without_merge,
        "exempt_count": len(plan.exempt),
        "warnings": warnings,
    }


def print_plan(plan, warnings: list[str]) -> None:
    from hall_app.domain.planner import MATERIAL_STATUS_LABELS

    print(f"{plan.bundle.name}：{len(plan.items)} 个事项，{len(plan.materials)} 项材料")
    for p in plan.items:
        print(f"  事项  {p.item.name}（{p.item.department}，承诺{p.item.promised_days}个工作日）— {p.reason}")
    for p in plan.materials:
        label = MATERIAL_STATUS_LABELS[p.status]
        print(f"  材料  {p.material.name}［{label}］— {p.reason}")
    print(f"  一表申报：填写 {plan.fields_asked} 项（分别填写需 {plan.fields_without_merge} 项）；"
          f"免交 {len(plan.exempt)} 项材料")
    for q in plan.pending:
        print(f"  待答  {q.id}: {q.text}（{'/'.join(q.options)}）")
    for w in warnings:
        print(f"  注意  {w}")
