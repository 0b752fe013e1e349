"""hall-app queue …: the hall queue from the command line (docs/queue.md).

Runs on this device's queue: the embedded one beside the device database, or the
central server's when the device is enrolled (then its scope decides what it may do).
Every refusal is the queue's own Chinese message, exit code 2, nothing changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hall_app.cli.common import UserError, dump_json, open_ctx

ACTIONS = {"recall": "recall", "serve": "start_serving", "hold": "hold", "finish": "finish", "no-show": "no_show",
           "transfer": "transfer", "leave": "leave"}


def register(sub) -> None:
    p = sub.add_parser("queue", help="排队叫号：业务类别、取号、叫号、预约、潮汐窗口、模拟一天")
    qs = p.add_subparsers(dest="queue_command", metavar="SUBCOMMAND")
    p.set_defaults(handler=lambda args: _usage(p))

    s = qs.add_parser("lines", help="业务类别与等候人数")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_lines)

    s = qs.add_parser("status", help="大厅排队概况：各类别等候、各窗口当前号、最近叫号")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_status)

    s = qs.add_parser("issue", help="取号")
    s.add_argument("line", help="业务类别代码或号码前缀（如 A）")
    s.add_argument("--priority", default="", help="优先类别：老年人/残疾人/孕妇/军人及优抚对象/其他")
    s.add_argument("--id-number", default="")
    s.add_argument("--name", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_issue)

    s = qs.add_parser("call", help="叫号：不给号码叫下一位，给号码叫指定的号")
    s.add_argument("ticket", nargs="?", default="", help="号码（如 A012），可省略")
    s.add_argument("--window", default="", help="窗口（默认本机设置的窗口）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_call)

    s = qs.add_parser("act", help="对号操作：recall 重呼 / serve 开始办理 / hold 挂起 / transfer 转移 / finish 办结 / "
                                  "no-show 过号 / leave 离开")
    s.add_argument("action", choices=sorted(ACTIONS))
    s.add_argument("ticket", nargs="?", default="", help="号码；省略为窗口当前的号")
    s.add_argument("--window", default="")
    s.add_argument("--to-line", default="")
    s.add_argument("--to-window", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_act)

    s = qs.add_parser("window", help="窗口：open 开放 / pause 暂停 / close 关闭 / switch 潮汐切换")
    s.add_argument("action", choices=["open", "pause", "close", "switch"])
    s.add_argument("--window", default="")
    s.add_argument("--lines", default="", help="switch：办理的类别及优先级，如 firm:1,personal:2；auto 为恢复排班")
    s.set_defaults(handler=cmd_window)

    s = qs.add_parser("suggestions", help="潮汐窗口切换建议")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_suggestions)

    s = qs.add_parser("close-day", help="闭厅：未办的号记为闭厅未办，未签到的预约记为未到")
    s.add_argument("--day", default="")
    s.set_defaults(handler=cmd_close_day)

    s = qs.add_parser("events", help="排队事件（只增不改）")
    s.add_argument("--day", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_events)

    _register_appointments(qs)

    s = qs.add_parser("simulate", help="模拟一天：真实的排队代码在真实的服务器上跑（simpy）")
    s.add_argument("--day", default="2026-12-01")
    s.add_argument("--tickets", type=int, default=400)
    s.add_argument("--windows", type=int, default=0, help="窗口数（默认按演示大厅的 6 个）")
    s.add_argument("--no-tidal", action="store_true", help="不做潮汐切换")
    s.add_argument("--seed", type=int, default=20261201)
    s.add_argument("--server-db", default="", help="服务器数据库（默认临时 SQLite；可用 postgresql://…）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_simulate)


def _register_appointments(qs) -> None:
    p = qs.add_parser("appointments", help="预约：list / add / cancel / import / checkin")
    sub = p.add_subparsers(dest="appointments_command", metavar="ACTION")
    p.set_defaults(handler=lambda args: _usage(p))

    s = sub.add_parser("list", help="某天的预约")
    s.add_argument("--day", default="")
    s.add_argument("--line", default="")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_appointments_list)

    s = sub.add_parser("add", help="预约一个时段")
    s.add_argument("line")
    s.add_argument("day", help="日期，如 2026-12-01")
    s.add_argument("slot", help="时段开始，如 09:30")
    s.add_argument("--name", default="")
    s.add_argument("--id-number", default="")
    s.add_argument("--phone", default="")
    s.set_defaults(handler=cmd_appointments_add)

    s = sub.add_parser("cancel", help="取消预约")
    s.add_argument("code", help="预约码")
    s.add_argument("--reason", default="")
    s.set_defaults(handler=cmd_appointments_cancel)

    s = sub.add_parser("import", help="从预约系统导出的 CSV 导入（有错则全部不导入）")
    s.add_argument("file", type=Path)
    s.set_defaults(handler=cmd_appointments_import)

    s = sub.add_parser("checkin", help="预约签到取号（预约码或身份证号）")
    s.add_argument("code")
    s.set_defaults(handler=cmd_appointments_checkin)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _queue(args):
    from hall_app.domain.queue import QueueError

    ctx = open_ctx(args)
    try:
        return ctx.queue
    except QueueError as exc:
        raise UserError(str(exc)) from None


def _run(fn, *a: Any, **kw: Any) -> Any:
    from hall_app.domain.queue import QueueError

    try:
        return fn(*a, **kw)
    except QueueError as exc:
        raise UserError(str(exc)) from None


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"约 {value:.0f} 分钟"


def _ticket_line(t) -> str:
    parts = [t.label, t.line_name, t.state_label]
    if t.priority:
        parts.append(f"优先（{t.priority}）")
    if t.window_name:
        parts.append(t.window_name)
    if t.state == "waiting":
        parts.append(f"前面 {t.ahead} 人，预计等候 {_minutes(t.estimate_minutes)}")
    text = "  ".join(parts)
    return f"{text}\n{t.message}" if t.message else text


def _print_ticket(args, t) -> int:
    from hall_app.domain.queue_views import to_dict

    if getattr(args, "json", False):
        dump_json(to_dict(t))
    else:
        print(_ticket_line(t))
    return 0


def cmd_lines(args) -> int:
    from hall_app.domain.queue_views import jsonable

    lines = _run(_queue(args).lines)
    if args.json:
        dump_json(jsonable(lines))
        return 0
    for line in lines:
        state = "" if line.open else "（停止取号）"
        print(f"{line.prefix}  {line.name}{state}  等候 {line.waiting}（优先 {line.priority_waiting}）  "
              f"在办窗口 {line.windows_serving}  预计等候 {_minutes(line.estimate_minutes)}")
    if not lines:
        print("还没有业务类别（hall-app demo 装入演示大厅的排队设置）")
    return 0


def cmd_status(args) -> int:
    from hall_app.domain.queue_views import jsonable

    board = _run(_queue(args).board)
    if args.json:
        dump_json(jsonable(board))
        return 0
    print(f"{board.day}  排队概况")
    for line in board.lines:
        print(f"  {line.prefix} {line.name}：等候 {line.waiting}，在办窗口 {line.windows_serving}，"
              f"预计等候 {_minutes(line.estimate_minutes)}")
    names = {line.line: line.name for line in board.lines}
    for w in board.windows:
        current = f"  当前 {w.current.label}（{w.current.state_label}）" if w.current else ""
        serves = "、".join(names.get(line, line) for line in sorted(w.skills, key=w.skills.__getitem__))
        print(f"  {w.name}（{w.window}）{w.state_label}  办理 {serves}{current}")
    if board.calls:
        print("最近叫号：" + "  ".join(f"{c.label}→{c.window_name}" for c in board.calls[:5]))
    return 0


def cmd_issue(args) -> int:
    q = _queue(args)
    return _print_ticket(args, _run(q.issue_ticket, args.line, priority=args.priority, id_number=args.id_number,
                                    name=args.name))


def cmd_call(args) -> int:
    q = _queue(args)
    window = args.window or None
    if args.ticket:
        return _print_ticket(args, _run(q.call_ticket, args.ticket, window=window))
    return _print_ticket(args, _run(q.call_next, window=window))


def cmd_act(args) -> int:
    q = _queue(args)
    window = args.window or None
    if args.action == "leave":
        if not args.ticket:
            raise UserError("请给出离开的号码")
        return _print_ticket(args, _run(q.leave, args.ticket))
    if args.action == "transfer":
        return _print_ticket(args, _run(q.transfer, args.ticket, to_line=args.to_line, to_window=args.to_window,
                                        window=window))
    return _print_ticket(args, _run(getattr(q, ACTIONS[args.action]), args.ticket, window=window))


def cmd_window(args) -> int:
    q = _queue(args)
    window = args.window or None
    if args.action == "switch":
        if not args.lines:
            raise UserError("请用 --lines 给出切换后办理的类别（如 firm:1,personal:2），或 --lines auto 恢复排班")
        lines = None if args.lines.strip().lower() == "auto" else args.lines
        view = _run(q.switch_window, lines, window=window)
    else:
        view = _run(getattr(q, f"{args.action}_window"), window=window)
    print(f"{view.name}（{view.window}）{view.state_label}  办理 {'、'.join(view.skills)}")
    return 0


def cmd_suggestions(args) -> int:
    from hall_app.domain.queue_views import jsonable

    found = _run(_queue(args).suggestions)
    if args.json:
        dump_json(jsonable(found))
    for s in [] if args.json else found:
        print(s.message)
    if not found and not args.json:
        print("目前没有需要切换的窗口")
    return 0


def cmd_close_day(args) -> int:
    result = _run(_queue(args).close_day, args.day)
    print(f"已闭厅：{result['expired']} 个号记为闭厅未办，{result['missed']} 个预约记为未到；次日号码从 001 重新开始")
    return 0


def cmd_events(args) -> int:
    events = _run(_queue(args).events, args.day)
    if args.json:
        dump_json([e.to_dict() for e in events])
        return 0
    for e in events:
        detail = " ".join(f"{k}={v}" for k, v in e.payload.items() if k in ("ticket", "label", "window", "line"))
        print(f"{e.seq:>6}  {e.at[11:19]}  {e.type:<28} {detail}")
    return 0


def cmd_appointments_list(args) -> int:
    from hall_app.domain.queue_views import jsonable

    found = _run(_queue(args).appointments, args.day, args.line)
    if args.json:
        dump_json(jsonable(found))
        return 0
    for a in found:
        print(f"{a.day} {a.slot}  {a.line_name}  {a.name or '（未留姓名）'}  预约码 {a.code}  {a.state_label}")
    if not found:
        print("没有预约")
    return 0


def cmd_appointments_add(args) -> int:
    a = _run(_queue(args).book_appointment, args.line, args.day, args.slot, name=args.name,
             id_number=args.id_number, phone=args.phone)
    print(f"已预约：{a.day} {a.slot} {a.line_name}  预约码 {a.code}")
    return 0


def cmd_appointments_cancel(args) -> int:
    a = _run(_queue(args).cancel_appointment, args.code, args.reason)
    print(f"已取消预约：{a.day} {a.slot} {a.line_name}（{a.code}）")
    return 0


def cmd_appointments_import(args) -> int:
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise UserError(f"无法读取文件 {args.file}：{exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise UserError(f"{args.file} 不是 UTF-8 或 GB18030 编码的文本") from None
    result = _run(_queue(args).import_appointments, text)
    if result.problems:
        raise UserError("没有导入任何预约，请改正后重试：\n" + "\n".join(result.problems[:50]))
    print(f"已导入 {result.imported} 个预约" + (f"，跳过已导入的 {result.skipped} 个" if result.skipped else ""))
    return 0


def cmd_appointments_checkin(args) -> int:
    return _print_ticket(args, _run(_queue(args).check_in, args.code))


def cmd_simulate(args) -> int:
    from hall_app.services.queue_sim import SimConfig, run_simulation

    config = SimConfig(day=args.day, tickets=args.tickets, windows=args.windows, tidal=not args.no_tidal,
                       seed=args.seed, server_db=args.server_db)
    try:
        report = run_simulation(config)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        dump_json(report.to_dict())
    else:
        print(report.text())
    return 0
