"""After the counter on the command line (docs/dispatch.md).

- ``hall-app dept inbox|show|ack|report|check``: a department user's inbox, either
  on the central server (``--server URL --token TOKEN``, or HALL_DEPT_SERVER /
  HALL_DEPT_TOKEN) or, on the embedded default, this machine's own cases.
- ``hall-app todo``: the clerk's follow-up list (results back, 补正 asked, deferrals
  and notices due or overdue, failed post-checks).
- ``hall-app case CODE --supply / --supplement / --hand-over / --remind / --terminate-overdue``:
  the window's actions (options added to ``case`` by :func:`case_options`).
"""

from __future__ import annotations

import os

from hall_app.cli.common import UserError, dump_json, open_ctx, translated_errors

STATUS_HELP = "received 部门已接收 / in_progress 办理中 / needs_material 退回补正 / approved 已批准 / " \
              "rejected 不予批准 / completed 已办结"


def register(sub) -> None:
    dept = sub.add_parser("dept", help="部门收件箱：查看分发件、确认接收、登记办理结果与事后核查")
    dept.add_argument("--dept", default="", help="部门名称（本机模式必填；服务器模式默认取令牌所属部门）")
    dept.add_argument("--server", default=os.environ.get("HALL_DEPT_SERVER", ""),
                      help="中心服务器地址（或环境变量 HALL_DEPT_SERVER）；不填则处理本机办件")
    dept.add_argument("--token", default=os.environ.get("HALL_DEPT_TOKEN", ""),
                      help="部门系统的设备令牌（或环境变量 HALL_DEPT_TOKEN）")
    dept.set_defaults(handler=lambda args: (dept.print_help(), 0)[1])
    actions = dept.add_subparsers(dest="dept_action", metavar="ACTION")
    p = actions.add_parser("inbox", help="列出本部门的分发件")
    p.add_argument("--pending", action="store_true", help="只列出尚未确认接收的")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_inbox)
    p = actions.add_parser("show", help="查看一个分发件（只含本部门事项所需的信息）")
    p.add_argument("case", metavar="CODE", help="跟踪码")
    p.set_defaults(handler=cmd_show)
    p = actions.add_parser("ack", help="确认接收分发件（部门已接收；重复确认不重复登记）")
    p.add_argument("case", metavar="CODE")
    p.set_defaults(handler=cmd_ack)
    p = actions.add_parser("report", help="登记一个事项的办理情况")
    p.add_argument("case", metavar="CODE")
    p.add_argument("item", metavar="ITEM", help="事项编号")
    p.add_argument("status", metavar="STATUS", help=STATUS_HELP)
    p.add_argument("--note", default="", help="说明：不予批准的理由、需补正的材料")
    p.add_argument("--document", default="", help="出件文书编号或链接")
    p.set_defaults(handler=cmd_report)
    p = actions.add_parser("check", help="告知承诺事项的事后核查结果")
    p.add_argument("case", metavar="CODE")
    p.add_argument("item", metavar="ITEM")
    p.add_argument("result", choices=["passed", "failed"], help="passed 核查通过 / failed 核查不实")
    p.add_argument("--note", default="")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("todo", help="窗口待跟进：结果已回待送达、需补正、不予批准、容缺与告知期限、核查不实")
    p.add_argument("--window", default=None, help="只列出该窗口的办件")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_todo)


def _inbox(args):
    from hall_app.services.inbox import LocalInbox, RemoteInbox

    if args.server:
        if not args.token:
            raise UserError("连接服务器须提供部门令牌：--token（或环境变量 HALL_DEPT_TOKEN）")
        from hall_app.sync.department import DepartmentClient

        department = args.dept or _token_department(args.server, args.token)
        return RemoteInbox(DepartmentClient(args.server, args.token, department))
    with translated_errors():
        return LocalInbox(open_ctx(args), args.dept)


def _token_department(server: str, token: str) -> str:
    from hall_app.sync.client import ServerClient
    from hall_app.sync.errors import SyncError

    try:
        state = ServerClient(server, token).state()
    except SyncError as exc:
        raise UserError(str(exc)) from None
    scope = str(state.get("scope", ""))
    if not scope.startswith("dept:"):
        raise UserError(f"该令牌不是部门系统的令牌（范围 {scope}）")
    return scope[5:].split("@", 1)[0]


def _item_line(item: dict) -> str:
    from hall_app.domain.labels import ITEM_STATUS_LABELS

    extra = "  告知承诺" if item.get("commitment") else ""
    note = f"  说明：{item['note']}" if item.get("note") else ""
    return f"    {item['code']:<28} {ITEM_STATUS_LABELS.get(item['status'], item['status']):<6} " \
           f"期限 {item.get('due', '')}{extra}{note}"


def cmd_inbox(args) -> int:
    from hall_app.domain.dispatch import PACKAGE_LABELS
    from hall_app.domain.tracking import format_tracking_code

    inbox = _inbox(args)
    with translated_errors():
        packages = inbox.packages(pending=args.pending)
    if args.json:
        dump_json(packages)
        return 0
    if not packages:
        print(f"{inbox.department}：收件箱中没有分发件")
    for pkg in packages:
        print(f"{format_tracking_code(pkg['tracking_code'])}  {PACKAGE_LABELS.get(pkg['status'], pkg['status'])}  "
              f"{pkg['bundle_code']}  {pkg.get('applicant', {}).get('name', '')}")
        for item in pkg["items"]:
            print(_item_line(item))
    return 0


def cmd_show(args) -> int:
    inbox = _inbox(args)
    with translated_errors():
        dump_json(inbox.package(args.case))
    return 0


def cmd_ack(args) -> int:
    inbox = _inbox(args)
    with translated_errors():
        outcome = inbox.acknowledge(args.case)
    print(f"已确认接收：{outcome.get('received', 0)} 个事项登记为“部门已接收”")
    return 0


def cmd_report(args) -> int:
    from hall_app.domain.labels import ITEM_STATUS_LABELS

    inbox = _inbox(args)
    with translated_errors():
        outcome = inbox.report(args.case, args.item, args.status, args.note, args.document)
    again = "（此前已登记，未重复）" if outcome.get("status") == "duplicate" else ""
    print(f"已登记：{args.item} {ITEM_STATUS_LABELS.get(args.status, args.status)}{again}")
    return 0


def cmd_check(args) -> int:
    from hall_app.domain.dispatch import CHECK_RESULTS

    inbox = _inbox(args)
    with translated_errors():
        inbox.check(args.case, args.item, args.result, args.note)
    print(f"已登记事后核查：{args.item} {CHECK_RESULTS[args.result]}")
    return 0


def cmd_todo(args) -> int:
    from hall_app.domain.case import STATUS_LABELS
    from hall_app.domain.tracking import format_tracking_code

    ctx = open_ctx(args)
    with translated_errors():
        rows = ctx.dispatch.follow_ups(args.window)
    if args.json:
        dump_json([row.__dict__ | {"flags": list(row.flags)} for row in rows])
        return 0
    if not rows:
        print("没有待跟进的办件")
    for row in rows:
        print(f"{format_tracking_code(row.tracking_code)}  {STATUS_LABELS.get(row.status, row.status)}  "
              f"{row.bundle_name}  {row.applicant_name}  窗口 {row.window}")
        for flag in row.flags:
            print(f"    {flag}")
    return 0


# -- the window's actions on ``hall-app case CODE`` -----------------------------------------------
def case_options(p) -> None:
    p.add_argument("--supply", metavar="MATERIAL", help="登记容缺材料已补交（材料编号），并生成补交材料收据")
    p.add_argument("--from-elicence", action="store_true",
                   help="配 --supply：不收纸质材料，调取申请人档案中已有的电子证照（电子证照已调取）")
    p.add_argument("--no-receipt", action="store_true", help="补交时不生成收据")
    p.add_argument("--supplement", metavar="ITEM", help="登记部门要求的补正材料已补交（事项编号，配 --materials）")
    p.add_argument("--materials", default="", help="补正补交的材料编号，逗号分隔")
    p.add_argument("--note", default="", help="说明")
    p.add_argument("--hand-over", choices=["window", "mail", "elicence"],
                   help="送达：window 窗口领取（配 --collector-id）/ mail 邮政寄递（配 --waybill）/ elicence 电子证照")
    p.add_argument("--collector-id", default="", help="领取人身份证号码（申请人或登记的代办人）")
    p.add_argument("--waybill", default="", help="EMS 邮件号")
    p.add_argument("--remind", choices=["phone", "sms", "in_person", "letter"],
                   help="容缺材料待补交：记录已提醒申请人"
                        "（phone 电话 / sms 短信 / in_person 当面 / letter 书面；配 --note）")
    p.add_argument("--terminate-overdue", action="store_true",
                   help="容缺材料逾期未补交（已提醒、宽限期满）：按承诺书终止办理或撤销受理"
                        "（理由默认取自承诺书，--note 改写）")


def case_actions(ctx, state, args):
    """Run the after-counter options given to ``hall-app case``; returns the new state."""
    from hall_app.services.handover import RATING_PROMPT

    actor = args.as_user or state.claimed_by or state.created_by
    if getattr(args, "supply", None):
        state = ctx.dispatch.supply(state.case_id, actor, args.supply, elicence=args.from_elicence)
        how = "（电子证照已调取）" if args.from_elicence else ""
        print(f"已登记补交：{args.supply}{how}" + ("；容缺材料已补齐" if not state.deferred else
                                              f"；仍待补交：{'、'.join(state.deferred)}"))
        if not args.no_receipt:
            from hall_app.services.print_jobs import print_case_document

            outcome = print_case_document(ctx, "supply", state.case_id, actor)
            print(f"补交材料收据：{outcome.pdf_path}" + (f"（打印机出错：{outcome.error}）" if outcome.error else ""))
    if getattr(args, "supplement", None):
        materials = [m for m in args.materials.replace("，", ",").split(",") if m.strip()]
        state = ctx.dispatch.supplement(state.case_id, actor, args.supplement, materials, args.note)
        print(f"已登记补正，事项 {args.supplement} 退回部门继续办理；新期限 {state.items[args.supplement]['due']}")
    if getattr(args, "remind", None):
        from hall_app.domain.deferral import REMINDER_CHANNELS

        state = ctx.dispatch.remind(state.case_id, actor, args.remind, args.note)
        print(f"已记录{REMINDER_CHANNELS[args.remind]}提醒：请于 {state.deferred_deadline} 前补交"
              f"{'、'.join(state.deferred)}")
    if getattr(args, "terminate_overdue", False):
        from hall_app.domain.dispatch import TERMINATION_KINDS

        state = ctx.dispatch.terminate_overdue(state.case_id, actor, args.note)
        print(f"已{TERMINATION_KINDS[state.termination['kind']]}：{state.termination['reason']}"
              f"（打印通知书：hall-app print termination {state.tracking_code}）")
    method = getattr(args, "hand_over", None)
    if method == "window":
        state = ctx.handover.at_window(state.case_id, actor, args.collector_id, args.note)
    elif method == "mail":
        state = ctx.handover.by_mail(state.case_id, actor, args.waybill, args.note)
    elif method == "elicence":
        state = ctx.handover.elicence(state.case_id, actor, args.note)
    if method:
        print(RATING_PROMPT)
    return state


def print_departments(ctx, state) -> None:
    rows = ctx.dispatch.department_rows(state) if state.items else []
    for row in rows:
        updated = f"  更新 {row['updated'][:16]}" if row["updated"] else ""
        updated += f"  用时 {row['took']} 个工作日" if row["took"] != "" else ""
        print(f"  部门 {row['department']}: {row['label']}  事项 {'、'.join(row['items'])}  期限 {row['due']}{updated}")
    if state.handed_over:
        from hall_app.domain.labels import HAND_OVER_METHODS

        how = HAND_OVER_METHODS.get(state.handed_over.get("method", ""), "")
        waybill = f"  邮件号 {state.handed_over['waybill']}" if state.handed_over.get("waybill") else ""
        print(f"  送达：{how}{waybill}  {state.handed_over.get('at', '')[:16]}")
    for n, notice in enumerate(state.notices, start=1):
        reason = f"  再次告知原因：{notice['reason']}" if notice.get("reason") else ""
        added = f"  新增：{'、'.join(notice['added'])}" if notice.get("added") else ""
        when = str(notice.get("at", ""))[:16]
        print(f"  第 {n} 次一次性告知 {when}  期限 {notice.get('deadline', '')}{reason}{added}")
    for code, name, ready in ctx.dispatch.notice_return(state):
        print(f"  一次性告知所缺：{name}（{code}）  {'已收' if ready else '待补交'}")
    for flag in ctx.dispatch.follow_ups_of(state):
        print(f"  ⚑ {flag}")
