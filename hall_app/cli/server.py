"""hall-app server [--db URL] [--host H] [--port P] and its admin actions:
enroll-code, revoke, devices, publish-bundles, simulate-departments."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from hall_app.cli.common import UserError

DB_HELP = ("服务器数据库：PostgreSQL 地址（postgresql://用户@主机/库）或 SQLite 文件路径；"
           "默认取环境变量 HALL_SERVER_DB，否则为用户数据目录下的 server.db")


# Examples, each as typed (tests/server/test_enroll_code_help.py parses every one): hall,
# window and device are codes (letters, digits, - and _); people and departments are names.
SCOPE_HELP = ("如 hall:JJ01（大厅）/ window:JJ01/W03（窗口）/ agent:王强@JJ01（帮代办员）"
              " / dept:市公安局 或 dept:市公安局@JJ01（部门）/ kiosk:JJ01/K1（取号机）/ display:JJ01/D1（叫号屏）"
              " / pad:JJ01/W03（窗口的评价器）/ supervisor:JJ01/陈静（值班长）/ admin:李华（管理员）；"
              "大厅、窗口和设备用编号（字母、数字、-、_）；不接受通配符")


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help=DB_HELP)


def register(sub) -> None:
    server = sub.add_parser("server", help="中心服务器：运行与管理（登记码、吊销、发布套餐、模拟部门）")
    _db(server)
    server.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；对外服务用 0.0.0.0）")
    server.add_argument("--port", type=int, default=8700, help="监听端口（默认 8700）")
    server.add_argument("--workers", type=int, default=1,
                        help="工作进程数（仅 PostgreSQL；默认 1）")
    server.add_argument("--max-body-mb", type=float, default=2.0,
                        help="单个请求体的上限（MB，默认 2；设备按此分批上传）")
    server.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="日志级别（默认 info：每个请求一行）")
    server.add_argument("--trusted-proxies", default=None, metavar="ADDR,…",
                        help="可信反向代理的地址或网段（逗号分隔）：只有来自它们的 X-Forwarded-For 才被采信；"
                             "默认取设置 trusted_proxies（为空：不采信）")
    server.set_defaults(handler=cmd_serve)
    actions = server.add_subparsers(dest="server_command", metavar="ACTION")

    p = actions.add_parser("enroll-code", help="生成一次性设备登记码")
    _db(p)
    p.add_argument("--scope", default=None, help=SCOPE_HELP)
    p.add_argument("--hours", type=float, default=72.0, help="有效小时数（默认 72）")
    p.add_argument("--rebind", default="", metavar="DEVICE",
                   help="确认重新登记已登记过的设备 DEVICE（换新令牌；范围默认不变）")
    p.set_defaults(handler=cmd_enroll_code)

    p = actions.add_parser("revoke", help="吊销设备的令牌（之后的请求一律拒绝）")
    _db(p)
    p.add_argument("device", metavar="DEVICE", help="设备编号")
    p.set_defaults(handler=cmd_revoke)

    p = actions.add_parser("agent-township", help="登记帮代办员服务的乡镇（街道）：只能为该乡镇的群众代办")
    _db(p)
    p.add_argument("agent", metavar="AGENT", help="帮代办员（与登记范围 agent:姓名@大厅 中的姓名相同）")
    p.add_argument("township", metavar="TOWNSHIP", help="乡镇或街道，如 白沙镇")
    p.add_argument("--hall", required=True, help="大厅编号，如 JJ01")
    p.set_defaults(handler=cmd_agent_township)

    p = actions.add_parser("person-files",
                           help="装入一人一档摘录（JSON 数组，每人一项）：帮代办员同步时只取得其委托人的摘录")
    _db(p)
    p.add_argument("file", metavar="FILE", nargs="?", type=Path, help="数据平台导出的档案摘录文件（JSON）")
    p.add_argument("--demo", action="store_true", help="装入演示大厅的人员档案")
    p.set_defaults(handler=cmd_person_files)

    p = actions.add_parser("devices", help="列出已登记的设备")
    _db(p)
    p.set_defaults(handler=cmd_devices)

    p = actions.add_parser("publish-bundles", help="发布套餐文件（文件或目录）；内容变化即为新版本")
    _db(p)
    p.add_argument("path", metavar="PATH")
    p.add_argument("--reviews", metavar="FILE",
                   help="审核记录文件（默认 bundles/reviews.toml）；只发送当前内容已审核发布的套餐")
    p.set_defaults(handler=cmd_publish)

    p = actions.add_parser("simulate-departments", help="模拟部门系统：按延时推进已分发事项的办理结果")
    _db(p)
    p.add_argument("--delay", type=float, default=5.0, help="每一步之间的秒数（默认 5）")
    p.add_argument("--interval", type=float, default=1.0, help="扫描间隔秒数（默认 1）")
    p.add_argument("--rounds", type=int, default=None, help="扫描若干轮后退出（默认一直运行）")
    p.add_argument("--url", default="", help="服务器地址：各部门作为真实客户端通过收件箱接口办理（推荐）")
    p.add_argument("--reject-rate", type=float, default=0.0, help="不予批准的比例（0–1，配 --url）")
    p.add_argument("--material-rate", type=float, default=0.0, help="退回补正的比例（0–1，配 --url）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（配 --url）")
    p.set_defaults(handler=cmd_simulate)


@contextmanager
def _engine(args):
    from hall_app.server.db import ServerDatabaseError, open_engine

    try:
        engine = open_engine(getattr(args, "db", None), pool_size=5)
    except ServerDatabaseError as exc:
        raise UserError(str(exc), code=3) from None
    try:
        yield engine
    finally:
        engine.dispose()


def cmd_serve(args) -> int:
    import os

    from hall_app.config import ConfigError, load_settings
    from hall_app.server.app import serve
    from hall_app.server.db import ServerDatabaseError
    from hall_app.server.ratelimit import RateLimits

    try:
        settings = load_settings(trusted_proxies=args.trusted_proxies)
        limits = RateLimits.from_settings(settings)
    except (ConfigError, ValueError) as exc:
        raise UserError(str(exc)) from None
    if args.trusted_proxies is not None:
        os.environ["HALL_TRUSTED_PROXIES"] = args.trusted_proxies  # for worker processes
    try:
        from hall_app.server.db import normalise_url

        if args.workers > 1 and not normalise_url(getattr(args, "db", None)).startswith("postgresql"):
            raise UserError("多个工作进程只适用于 PostgreSQL 数据库")
        if not 0.01 <= args.max_body_mb <= 1024:
            raise UserError("--max-body-mb 应在 0.01 到 1024 之间")
        serve(getattr(args, "db", None), args.host, args.port, args.log_level, args.workers,
              int(args.max_body_mb * 1024 * 1024), limits)
    except ServerDatabaseError as exc:
        raise UserError(str(exc), code=3) from None
    return 0


def cmd_enroll_code(args) -> int:
    from hall_app.server.auth import AuthError, list_devices, make_enrollment_code

    with _engine(args) as engine:
        try:
            code = make_enrollment_code(engine, args.scope, args.hours, rebind=args.rebind)
            scope = args.scope or next(d["scope"] for d in list_devices(engine) if d["device_id"] == args.rebind)
        except AuthError as exc:
            raise UserError(str(exc)) from None
    print(code)
    what = f"只能用于重新登记设备 {args.rebind}（旧令牌随即失效）" if args.rebind else "只能用于登记新设备"
    print(f"范围 {scope}，{args.hours:g} 小时内有效，只能使用一次，{what}。"
          f"设备上运行：hall-app enroll 服务器地址 {code}")
    return 0


def cmd_agent_township(args) -> int:
    from hall_app.server.agents import set_township

    with _engine(args) as engine:
        try:
            set_township(engine, args.hall, args.agent, args.township)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    print(f"帮代办员 {args.agent}（大厅 {args.hall}）服务范围：{args.township}")
    return 0


def cmd_person_files(args) -> int:
    import datetime as dt

    from hall_app.server.person_files import demo_records, load, load_file

    if bool(args.file) == bool(args.demo):
        raise UserError("请给出档案摘录文件，或用 --demo 装入演示人员档案（二者选一）")
    with _engine(args) as engine:
        try:
            stored, problems = load(engine, demo_records(dt.date.today().isoformat())) if args.demo else \
                load_file(engine, args.file)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    for problem in problems:
        print(problem)
    print(f"已装入 {stored} 人的档案摘录" + (f"，{len(problems)} 条不合格未装入" if problems else ""))
    return 2 if problems else 0


def cmd_revoke(args) -> int:
    from hall_app.server.auth import revoke

    with _engine(args) as engine:
        if not revoke(engine, args.device):
            raise UserError(f"没有未吊销的设备 {args.device}")
    print(f"已吊销设备 {args.device}：其令牌立即失效，设备上未上传的事件仍保留在设备上")
    return 0


def cmd_devices(args) -> int:
    from hall_app.server.auth import list_devices

    with _engine(args) as engine:
        rows = list_devices(engine)
    for row in rows:
        state = f"已吊销 {row['revoked_at']}" if row["revoked_at"] else "有效"
        print(f"{row['device_id']}  {row['scope']:<24} {row['name'] or '-':<12} {state}  "
              f"最近 {row['last_seen'] or '-'}")
    if not rows:
        print("尚无登记的设备")
    return 0


def cmd_publish(args) -> int:
    from bundles.loader import CatalogError
    from hall_app.server.catalog import load_entries, publish

    try:
        entries = load_entries(args.path)
    except FileNotFoundError:
        raise UserError(f"找不到套餐文件或目录：{args.path}") from None
    except CatalogError as exc:
        raise UserError("套餐文件有错误，未发布：\n" + str(exc)) from None
    from bundles.reviews import ReviewsError
    from hall_app.services.bundle_review import unpublished

    try:
        held = unpublished(entries, args.reviews)  # a bundle reaches devices only after a recorded review
    except ReviewsError as exc:
        raise UserError(str(exc)) from None
    held_codes = {e.bundle.code for e, _ in held}
    entries = [e for e in entries if e.bundle.code not in held_codes]
    published = []
    if entries:
        with _engine(args) as engine:
            published = publish(engine, entries)
    for p in published:
        what = "已发布" if p.new else "未变化"
        print(f"{what}  {p.code}  {p.name}  第 {p.version} 版  {p.content_hash}")
    if held:
        lines = "\n".join(line for _, line in held)
        print(f"未发送（先 hall-app bundles review 审核、bundles publish 发布）：\n{lines}", file=sys.stderr)
        return 1
    return 0


def _inbox_simulator(args, engine):
    from sqlalchemy import select

    from hall_app.server.auth import make_enrollment_code
    from hall_app.server.models import packages
    from hall_app.sync.department_sim import InboxSimulator

    for rate in (args.reject_rate, args.material_rate):
        if not 0 <= rate <= 1:
            raise UserError("比例应在 0 与 1 之间")

    def departments() -> list[str]:
        with engine.connect() as conn:
            return sorted(set(conn.execute(select(packages.c.department)).scalars()))

    return InboxSimulator(args.url, lambda dept: make_enrollment_code(engine, f"dept:{dept}", hours=1),
                          departments, delay=args.delay, reject_rate=args.reject_rate,
                          material_rate=args.material_rate, seed=args.seed)


def cmd_simulate(args) -> int:
    from hall_app.server.results import DepartmentSimulator

    with _engine(args) as engine:
        simulator = _inbox_simulator(args, engine) if args.url else DepartmentSimulator(engine, delay=args.delay)
        print(f"模拟部门系统运行中：每步 {args.delay:g} 秒（Ctrl-C 结束）", flush=True)
        from hall_app.sync.errors import SyncError

        try:
            total = simulator.run(args.interval, args.rounds)
        except KeyboardInterrupt:
            total = None
        except SyncError as exc:
            raise UserError(f"模拟部门无法使用服务器收件箱：{exc}", code=3) from None
    if total is not None:
        print(f"共登记办理结果 {total} 条")
    return 0
