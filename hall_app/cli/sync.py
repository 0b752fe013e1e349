"""hall-app enroll SERVER_URL CODE, hall-app sync [--once | --status], hall-app scan AUTH_ID."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hall_app.cli.common import UserError, open_ctx


def register(sub) -> None:
    p = sub.add_parser("enroll", help="用管理员给的一次性登记码把本设备登记到中心服务器")
    p.add_argument("server_url", metavar="SERVER_URL", help="中心服务器地址，如 http://10.0.0.5:8700")
    p.add_argument("code", metavar="CODE", help="一次性登记码，如 K7P9-M2QT-X4RH")
    p.add_argument("--name", default="", help="设备名称（默认用配置中的 device_name）")
    p.set_defaults(handler=cmd_enroll)

    p = sub.add_parser("sync", help="与中心服务器同步（上传待传事件、接收更新）")
    p.add_argument("--once", action="store_true", help="只同步一轮后退出（默认持续同步，Ctrl-C 结束）")
    p.add_argument("--status", action="store_true", help="只显示同步状态与隔离的事件")
    p.add_argument("--interval", type=float, default=None, help="持续同步的间隔秒数（默认按配置）")
    p.set_defaults(handler=cmd_sync)

    p = sub.add_parser("scan", help="取回授权委托书的扫描件（本机没有时从中心服务器取回，存入本机数据库）")
    p.add_argument("auth_id", metavar="AUTH_ID", help="授权委托书编号")
    p.add_argument("--out", type=Path, help="另存为文件（明确指定时才写出文件）")
    p.set_defaults(handler=cmd_scan)


def cmd_scan(args) -> int:
    from hall_app.services.scan_copies import ScanError

    ctx = open_ctx(args)
    try:
        copy = ctx.scans.fetch(args.auth_id)
    except ScanError as exc:
        raise UserError(str(exc), code=3) from None
    where = f"已另存为 {ctx.scans.export(copy, args.out)}" if args.out else "保存在本机数据库中"
    print(f"{copy.describe()}{'，已从中心服务器取回' if copy.fetched else ''}；{where}")
    return 0


def cmd_enroll(args) -> int:
    from hall_app.sync.client import SyncError
    from hall_app.sync.core import enroll_device

    ctx = open_ctx(args)
    try:
        answer = enroll_device(ctx, args.server_url, args.code, args.name)
    except SyncError as exc:
        raise UserError(f"登记失败：{exc}", code=3) from None
    print(f"已登记：设备 {ctx.device_id}，范围 {answer['scope']}，服务器 {args.server_url}")
    print("令牌已保存在本机数据库中；运行 hall-app sync --once 立即同步。")
    return 0


def cmd_sync(args) -> int:
    ctx = open_ctx(args)
    if args.status:
        return _status(ctx)
    if args.once:
        return _round(ctx)
    from hall_app.sync.runner import BackgroundSync

    runner = BackgroundSync(ctx, args.interval)
    print(f"持续同步中（每 {runner.interval:g} 秒；Ctrl-C 结束）")
    runner.start()
    try:
        last = 0
        while runner.running:
            time.sleep(0.5)
            if runner.rounds != last:
                last = runner.rounds
                from hall_app.sync.status import sync_status

                detail = runner.last_error or (runner.last_report.summary() if runner.last_report else "")
                print(f"{ctx.now_iso()}  {sync_status(ctx).label()}  {detail}", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        runner.stop()
    return 0


def _round(ctx) -> int:
    from hall_app.sync.client import SyncError
    from hall_app.sync.core import sync_once
    from hall_app.sync.status import sync_status

    try:
        report = sync_once(ctx)
    except SyncError as exc:
        raise UserError(f"同步失败：{exc}（待上传事件仍保留在本机）", code=3) from None
    except Exception as exc:  # e.g. the database is locked: a message, not a traceback
        if os.environ.get("HALL_DEBUG"):
            raise
        raise UserError(f"同步出错：{type(exc).__name__}: {exc}（待上传事件仍保留在本机）", code=3) from None
    print(f"同步完成：{report.summary()}")
    print(sync_status(ctx).label())
    return 0


def _status(ctx) -> int:
    from sqlalchemy import select

    from hall_app.store.models import EventRow
    from hall_app.sync.status import sync_status

    status = sync_status(ctx)
    print(status.label())
    if status.last_success:
        print(f"上次成功同步：{status.last_success}")
    if status.last_error:
        print(f"上次同步失败：{status.last_error}")
    with ctx.read() as session:
        rows = session.scalars(select(EventRow).where(EventRow.sync_state == "quarantined")
                               .order_by(EventRow.local_seq).limit(50)).all()
    for row in rows:
        print(f"  隔离：{row.device_time}  {row.type}  办件 {row.case_id}  原因：{row.sync_error}")
    from hall_app.store.models import StoredFile

    with ctx.read() as session:  # scans of signed authorisations not yet on the server (issue 13)
        scans = session.execute(select(StoredFile.name, StoredFile.created_at, StoredFile.send_error).where(
            StoredFile.kind == "scan", StoredFile.sent_at == "").order_by(StoredFile.created_at)).all()
    for scan in scans:
        reason = f"  原因：{scan.send_error}" if scan.send_error else ""
        print(f"  待上传扫描件：{scan.created_at}  {scan.name}{reason}")
    return 0
