"""hall-app enquiry add|list|close|stats: consultations (咨询), 首问负责 referrals and
办不成事 reports without a case (hall_app/services/enquiries.py)."""

from __future__ import annotations

import datetime as dt

from hall_app.cli.common import UserError, dump_json, open_ctx, translated_errors

KIND_CHOICES = {"consult": "咨询", "referral": "首问负责（引导到别处）", "unresolved": "办不成事"}
TARGETS = {"department": "部门", "window": "窗口", "hall": "其他大厅", "other": "其他"}


def register(sub) -> None:
    p = sub.add_parser("enquiry", help="咨询、首问负责引导、办不成事的登记、办结与统计（不建办件）")
    inner = p.add_subparsers(dest="enquiry_command", metavar="ACTION", required=True)

    a = inner.add_parser("add", help="登记一条咨询 / 首问负责引导 / 办不成事")
    a.add_argument("--kind", required=True, choices=list(KIND_CHOICES),
                   help="、".join(f"{k} {v}" for k, v in KIND_CHOICES.items()))
    a.add_argument("--topic", required=True, help="群众问的是什么、要办什么（办不成事：什么事办不成）")
    a.add_argument("--bundle", default="", help="涉及的一件事（编号或名称，可不填）")
    a.add_argument("--answered", action="store_true", help="咨询：已当场答复（随即办结）")
    a.add_argument("--phone", default="", help="需回复时的联系电话（当场答复的不留）")
    a.add_argument("--to-kind", dest="target_kind", default="", choices=["", *TARGETS],
                   help="首问负责：引导去向类别，" + "、".join(f"{k} {v}" for k, v in TARGETS.items()))
    a.add_argument("--to", dest="target", default="", help="首问负责：引导到哪里（部门、窗口或大厅名称）")
    a.add_argument("--reason", default="", help="首问负责：为什么引导到那里")
    a.add_argument("--why", default="", help="办不成事：办不成的原因")
    a.add_argument("--as-user", required=True, help="首问的工作人员（用户名），由其负责到办结")
    a.set_defaults(handler=cmd_add)

    ls = inner.add_parser("list", help="列出事项（默认：本人待办结的）")
    ls.add_argument("--as-user", default="", help="只列此人的（首问负责人）")
    ls.add_argument("--all", action="store_true", help="也列出已办结的（最近 50 条）")
    ls.add_argument("--json", action="store_true", help="以 JSON 输出")
    ls.set_defaults(handler=cmd_list)

    c = inner.add_parser("close", help="办结一条事项（须写结果；办不成事还须写措施和处理人）")
    c.add_argument("enquiry_id", help="事项编号（列表中的 8 位即可）")
    c.add_argument("--result", required=True, help="结果：答复了什么、最后怎样解决")
    c.add_argument("--action", default="", help="办不成事：采取了什么措施")
    c.add_argument("--handled-by", default="", help="办不成事：由谁处理")
    c.add_argument("--as-user", required=True, help="首问负责人（只有其本人可以办结）")
    c.set_defaults(handler=cmd_close)

    s = inner.add_parser("stats", help="按日期、工作人员、类别统计（默认今天）")
    s.add_argument("--from", dest="first", default="", help="开始日期 YYYY-MM-DD")
    s.add_argument("--to", dest="last", default="", help="结束日期 YYYY-MM-DD（含当天；默认同开始日期）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(handler=cmd_stats)


def _user(ctx, username: str) -> str:
    from hall_app.store.models import User

    with ctx.read() as session:
        user = session.get(User, username.strip())
    if user is None or not user.active:
        raise UserError(f"没有用户“{username.strip()[:64]}”（或已停用）")
    return user.username


def cmd_add(args) -> int:
    ctx = open_ctx(args)
    actor = _user(ctx, args.as_user)
    with translated_errors():
        state = ctx.enquiries.add(actor, args.kind, args.topic, bundle=args.bundle, answered=args.answered,
                                  phone=args.phone, target_kind=args.target_kind, target=args.target,
                                  reason=args.reason, why=args.why)
    print(f"已登记{state.kind_label}，编号 {state.short_id}（首问负责人 {state.owner}）")
    print("已当场答复，随即办结" if state.status == "closed" else "待办结：办结时请写明结果")
    return 0


def cmd_list(args) -> int:
    ctx = open_ctx(args)
    owner = _user(ctx, args.as_user) if args.as_user else None
    with translated_errors():
        if owner and not args.all:
            lines = ctx.enquiries.open_for(owner)
        else:
            lines = ctx.enquiries.recent(owner, open_only=not args.all)
    if args.json:
        dump_json([{"id": ln.enquiry_id, "short_id": ln.short_id, "kind": ln.kind, "status": ln.status,
                    "owner": ln.owner, "topic": ln.topic, "opened_at": ln.opened_at} for ln in lines])
        return 0
    if not lines:
        print("没有待办结的事项。" if not args.all else "没有事项。")
        return 0
    for ln in lines:
        status = "待办结" if ln.status == "open" else "已办结"
        flag = " 需核对" if ln.needs_review else ""
        print(f"{ln.short_id}  {ln.opened_at[:16].replace('T', ' ')}  {_pad(ln.kind_label, 8)}  {status}  "
              f"{ln.owner:<10}  {ln.topic}{flag}")
    return 0


def cmd_close(args) -> int:
    ctx = open_ctx(args)
    actor = _user(ctx, args.as_user)
    with translated_errors():
        state = ctx.enquiries.find(args.enquiry_id)
        state = ctx.enquiries.close(state.enquiry_id, actor, args.result, args.action, args.handled_by)
    print(f"已办结{state.kind_label} {state.short_id}：{state.result}")
    return 0


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{what}应写作 YYYY-MM-DD，例如 2026-11-01（收到：{text[:20]}）") from None


def cmd_stats(args) -> int:
    from hall_app.domain.enquiry import totals_by_kind

    ctx = open_ctx(args)
    first = _date(args.first, "开始日期") if args.first else ctx.today()
    last = _date(args.last, "结束日期") if args.last else first
    with translated_errors():
        counts = ctx.enquiries.counts(first, last)
    if args.json:
        dump_json([{"day": c.day.isoformat(), "clerk": c.clerk, "kind": c.kind, "opened": c.opened,
                    "answered_at_once": c.answered_at_once, "closed": c.closed, "still_open": c.still_open}
                   for c in counts])
        return 0
    span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
    if not counts:
        print(f"{span} 没有咨询、首问负责或办不成事登记。")
        return 0
    print(f"{span} 咨询、首问负责、办不成事统计")
    print(f"日期        {_pad('工作人员', 12)}{_pad('类别', 10)}登记  当场答复  办结  未办结")
    for c in counts:
        print(f"{c.day.isoformat()}  {_pad(c.clerk, 12)}{_pad(c.kind_label, 10)}{c.opened:>4}  "
              f"{c.answered_at_once:>8}  {c.closed:>4}  {c.still_open:>6}")
    print("合计：" + "；".join(f"{label} 登记 {t['opened']}、办结 {t['closed']}、未办结 {t['still_open']}"
                             for label, t in zip(("咨询", "首问负责", "办不成事"), totals_by_kind(counts).values())))
    return 0
