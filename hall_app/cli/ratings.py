"""hall-app rate, hall-app follow-ups, hall-app follow-up: 好差评 from the command line."""

from __future__ import annotations

from hall_app.cli.common import open_ctx, translated_errors

STEPS = {"verified": "核实", "rectified": "整改", "explained": "解释说明", "appealed": "申诉", "revisited": "回访",
         "closed": "办结"}


def register(sub) -> None:
    p = sub.add_parser("rate", help="登记群众对办件的评价（好差评；差评自动进入整改回访）")
    p.add_argument("tracking_code")
    p.add_argument("--level", required=True,
                   help="5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意（数字或名称）")
    p.add_argument("--reason", action="append", default=[], help="评价理由（可多次；按等级可选）")
    p.add_argument("--comment", default="", help="留言")
    p.add_argument("--as-user", default="", help="登记的用户（默认办件经办人）")
    p.set_defaults(handler=cmd_rate)

    p = sub.add_parser("follow-ups", help="差评整改回访清单：逾期在前，再按到期日")
    p.add_argument("--all", action="store_true", help="也列出已办结的")
    p.set_defaults(handler=cmd_follow_ups)

    p = sub.add_parser("follow-up", help="登记差评整改回访的一步：核实 → 整改/解释说明/申诉 → 回访 → 办结")
    p.add_argument("tracking_code", help="办件的受理编号；与 --visit 同用时为号票编号或号码（如 A012）")
    p.add_argument("--visit", action="store_true", help="窗口评价器上的服务差评（按号票）")
    p.add_argument("--step", required=True, choices=list(STEPS), help="、".join(f"{k} {v}" for k, v in STEPS.items()))
    p.add_argument("--note", required=True, help="本步骤的情况说明（办结须写处理结果）")
    p.add_argument("--as-user", required=True, help="值班长或管理员的用户名")
    p.set_defaults(handler=cmd_follow_up)


def rating_level(typed: str) -> int | str:
    """``--level`` as typed: 1–5 (full-width too) or a level's name (满意). Anything else
    goes on as typed, for the rating rules to refuse in Chinese (argparse's ``type=int``
    answered "invalid int value" in English)."""
    from hall_app.domain.case_state import RATING_LEVELS
    from hall_app.domain.text import to_halfwidth

    key = to_halfwidth(typed).strip()
    if key.isascii() and key.isdigit():
        return int(key)
    named = {label: level for level, label in RATING_LEVELS.items()}
    return named.get(key, typed)


def cmd_rate(args) -> int:
    ctx = open_ctx(args)
    with translated_errors():
        state = ctx.cases.by_tracking_code(args.tracking_code)
        state = ctx.ratings.rate(state.case_id, args.as_user or state.created_by, rating_level(args.level), args.reason,
                                 comment=args.comment)
    rating = state.rating
    print(f"已登记评价：{rating['label']}")
    if "follow_up" in rating:
        print(f"差评已进入整改回访，须于 {rating['follow_up']['due']} 前办结")
    return 0


def cmd_follow_ups(args) -> int:
    from hall_app.domain.tracking import format_tracking_code

    ctx = open_ctx(args)
    with translated_errors():
        rows = ctx.ratings.follow_ups(open_only=not args.all)
    if not rows:
        print("没有待办的差评整改回访。" if not args.all else "没有差评。")
        return 0
    for r in rows:
        flag = "逾期" if r.overdue else "    "
        if r.ticket:  # a visit rated on the window's rate pad
            cases = f"  办件 {'、'.join(r.cases)}" if r.cases else ""
            print(f"{flag}  服务 {r.label}（{r.ticket}）  {r.level_label:<5}  {r.follow_up.state_label:<5}  "
                  f"到期 {r.follow_up.due.isoformat()}  {r.window}  {r.comment}{cases}")
            continue
        print(f"{flag}  {format_tracking_code(r.tracking_code)}  {r.level_label:<5}  {r.follow_up.state_label:<5}  "
              f"到期 {r.follow_up.due.isoformat()}  {r.window}  {r.bundle_name}  {r.comment}")
    return 0


def cmd_follow_up(args) -> int:
    ctx = open_ctx(args)
    if args.visit:
        with translated_errors():
            visit = ctx.ratings.advance_visit(args.tracking_code, args.as_user, args.step, args.note)
        print(f"已登记：{STEPS[visit.follow_up.state]}（共 {len(visit.follow_up.steps) - 1} 步）")
        if args.step == "closed":
            print("该差评整改回访已办结")
        return 0
    with translated_errors():
        state = ctx.cases.by_tracking_code(args.tracking_code)
        state = ctx.ratings.advance(state.case_id, args.as_user, args.step, args.note)
    steps = state.rating["follow_up"]["steps"]
    print(f"已登记：{STEPS[steps[-1]['step']]}（共 {len(steps) - 1} 步）")
    if args.step == "closed":
        print("该差评整改回访已办结")
    return 0
