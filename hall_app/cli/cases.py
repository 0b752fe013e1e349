"""hall-app demo, hall-app print, hall-app case."""

from __future__ import annotations

from pathlib import Path

from hall_app.cli.common import UserError, dump_json, open_ctx, translated_errors


def register(sub) -> None:
    p = sub.add_parser("demo", help="装入确定的演示数据（窗口、用户、人员与企业档案、各状态办件）")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("print", help="打印办件文书：receipt / notice / commitment / refusal / authorisation")
    p.add_argument("kind", choices=["receipt", "notice", "commitment", "refusal", "authorisation"])
    p.add_argument("tracking_code")
    p.add_argument("--paper", choices=["a4", "80mm", "58mm"])
    p.add_argument("--out", type=Path, help="PDF 输出文件")
    p.add_argument("--as-user", default="", help="记录打印操作的用户（默认办件经办人）")
    p.set_defaults(handler=cmd_print)

    p = sub.add_parser("case", help="按跟踪码查看办件")
    p.add_argument("tracking_code")
    p.add_argument("--json", action="store_true")
    p.add_argument("--mark-reviewed", metavar="NOTE", help="核对完毕：清除同步冲突标记（两个值都留在经过中）")
    p.add_argument("--as-user", default="", help="记录操作的用户")
    p.set_defaults(handler=cmd_case)


def cmd_demo(args) -> int:
    from hall_app.services.demo import DEMO_LOGIN, DemoSeeder

    ctx = open_ctx(args)
    seeder = DemoSeeder(ctx)
    existed = seeder.exists()
    with translated_errors():
        cases = seeder.seed()
    print(("演示数据已存在" if existed else "已装入演示数据") + f"：{ctx.settings.db_path}")
    print(f"演示账号：{DEMO_LOGIN[0]} / {DEMO_LOGIN[1]}")
    from hall_app.domain.case import STATUS_LABELS
    from hall_app.domain.tracking import format_tracking_code

    for case in cases:
        print(f"  {format_tracking_code(case.tracking_code)}  {STATUS_LABELS[case.status]:<8} {case.label}")
    _tracking_notice(ctx)
    _demo_queue(ctx)
    return 0


def _demo_queue(ctx) -> None:
    """The demo hall's queue (hall_app/services/queue_demo.py): lines, windows, today's
    appointments and some tickets waiting."""
    from hall_app.domain.queue import QueueError
    from hall_app.services.queue_demo import seed_demo_queue

    try:
        demo = seed_demo_queue(ctx.queue, ctx.now())
    except QueueError as exc:  # e.g. an enrolled window device may not set up the server's queue
        print(f"排队：未装入演示排队设置（{exc}）")
        return
    print(f"排队：{demo.lines} 个业务类别，{demo.windows} 个窗口（hall-app queue status 查看）")
    for line in demo.appointments:
        print(f"  预约 {line}")
    if demo.tickets:
        print("  等候中：" + " ".join(demo.tickets))


def _tracking_notice(ctx) -> None:
    """Say where the receipts' QR codes point, the first time (and when it changes)."""
    from hall_app.services.documents import tracking_notice

    notice = tracking_notice(ctx)
    if notice:
        print(f"注意：{notice}")


def cmd_print(args) -> int:
    from hall_app.services.print_jobs import print_case_document

    ctx = open_ctx(args)
    with translated_errors():
        state = ctx.cases.by_tracking_code(args.tracking_code)
        outcome = print_case_document(ctx, args.kind, state.case_id, args.as_user or state.created_by,
                                      args.paper, args.out)
    print(f"已生成：{outcome.pdf_path}")
    _tracking_notice(ctx)
    if outcome.sent_to and outcome.sent_to != "file":
        print(f"已发送到打印机：{outcome.sent_to}")
    for warning in outcome.warnings:
        print(f"注意：{warning}")
    if outcome.error:
        raise UserError(f"打印机出错（PDF 已保存，可重新打印）：{outcome.error}", code=3)
    return 0


def cmd_case(args) -> int:
    from hall_app.domain.tracking import format_tracking_code

    ctx = open_ctx(args)
    with translated_errors():
        state = ctx.cases.by_tracking_code(args.tracking_code)
        if args.mark_reviewed is not None:
            state = ctx.cases.mark_reviewed(state.case_id, args.as_user or "admin", args.mark_reviewed)
            print("已标记核对完毕")
        timeline = ctx.cases.timeline(state.case_id)
    if args.json:
        dump_json({"case": state.to_dict(), "events": timeline})
        return 0
    print(f"{format_tracking_code(state.tracking_code)}  {state.status_label}  {state.applicant_name}  "
          f"{state.bundle_code}")
    if state.needs_review:
        from hall_app.domain.case import review_lines

        print("  ⚠ 需人工核对（同步冲突）")
        for line in review_lines(state):
            print(f"    {line}")
    for code, item in state.items.items():
        print(f"  事项 {code}: {item['status']}  期限 {item.get('due', '')}")
    for event in timeline:
        print(f"  {event['time']}  {event['actor']:<10} {event['type']}")
    return 0
