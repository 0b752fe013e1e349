"""One sync round (``sync_once``) and enrollment, as the CLI and the background runner use them.

A round: check the local database once per process, ask the server what it holds
of this device (a server restored from an old backup holds less: those events go
back in the outbox), push the outbox, then pull the feed to the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import text, update

from hall_app.store.models import Device
from hall_app.sync.client import ServerClient, SyncError
from hall_app.sync.person_files import ExtractReport, refresh_extracts
from hall_app.sync.pull import PullReport, cursor, pull_feed, set_cursor
from hall_app.sync.push import PushReport, batch_bytes, push_outbox, reopen_lost
from hall_app.sync.scans import upload_scans
from hall_app.sync.status import MONITOR, SyncMonitor

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

BATCH_SIZE = 500
PAGE_SIZE = 500


@dataclass
class SyncReport:
    push: PushReport = field(default_factory=PushReport)
    pull: PullReport = field(default_factory=PullReport)
    reopened: int = 0  # events sent again because the server no longer had them
    repulled: bool = False  # the feed was read again from the start
    scans_sent: int = 0  # scans of signed authorisations sent to the server
    scans_refused: int = 0
    extracts: ExtractReport | None = None  # an agent's principals' person-file extracts (None: not an agent)

    def summary(self) -> str:
        parts = [f"上传 {self.push.sent} 条", f"重复 {self.push.duplicates} 条", f"接收 {self.pull.applied} 条"]
        if self.push.quarantined:
            parts.append(f"隔离 {self.push.quarantined} 条")
        if self.pull.bundles:
            parts.append(f"套餐更新 {self.pull.bundles} 个")
        if self.reopened:
            parts.append(f"服务器数据缺失，重新上传 {self.reopened} 条")
        if self.pull.skipped:
            parts.append(f"无法读取而跳过 {len(self.pull.skipped)} 条")
        if self.scans_sent or self.scans_refused:
            parts.append(f"授权委托书扫描件上传 {self.scans_sent} 份" + (
                f"，被拒 {self.scans_refused} 份（原因见 hall-app sync --status）" if self.scans_refused else ""))
        if self.extracts is not None:
            parts.append(self.extracts.summary())
        return "，".join(parts)


def server_of(ctx: "HallContext") -> tuple[str, str]:
    with ctx.read() as session:
        device = session.get(Device, ctx.device_id)
        return (device.server_url, device.token) if device else ("", "")


def check_database(ctx: "HallContext") -> None:
    """``PRAGMA quick_check`` once per process before the first sync: a damaged file
    must not be spread to the server or have its cursor trusted."""
    if getattr(ctx, "_sync_db_checked", False):
        return
    from sqlalchemy.exc import DatabaseError

    try:
        with ctx.engine.connect() as conn:
            result = [str(r[0]) for r in conn.execute(text("PRAGMA quick_check")).all()]
    except DatabaseError as exc:
        result = [str(exc.orig or exc)]
    if result != ["ok"]:
        raise SyncError("本地数据库已损坏，已停止同步：" + "；".join(result[:3]) + "。请联系管理员，勿删除数据库文件。",
                        "database")
    ctx._sync_db_checked = True


def sync_once(ctx: "HallContext", client: ServerClient | None = None, monitor: SyncMonitor = MONITOR,
              batch_size: int = BATCH_SIZE, page_size: int = PAGE_SIZE) -> SyncReport:
    """Push then pull until both are done. Raises SyncError (and tells ``monitor``)."""
    try:
        report = _sync(ctx, client, batch_size, page_size)
    except SyncError as exc:
        monitor.failure(str(exc), ctx.now_iso())
        remember_outcome(ctx, str(exc))
        raise
    except Exception as exc:  # the database, a bug: the status bar must not claim "online"
        monitor.failure(f"同步出错：{type(exc).__name__}: {exc}", ctx.now_iso())
        remember_outcome(ctx, f"同步出错：{type(exc).__name__}: {exc}")
        raise
    monitor.success(ctx.now_iso())
    remember_outcome(ctx, "")
    return report


def remember_outcome(ctx: "HallContext", error: str) -> None:
    """Keep the last success (or the last failure's reason) in the device row, so a new
    process (``sync --status``, the agent's screen after a restart) knows it."""
    values = {"last_sync_error": error[:2000]} if error else {"last_sync_ok": ctx.now_iso(), "last_sync_error": ""}
    try:
        with ctx.Session.begin() as session:
            session.execute(update(Device).where(Device.device_id == ctx.device_id).values(**values))
    except Exception:  # a damaged or locked database: the round's own error says more
        pass


def _sync(ctx: "HallContext", client: ServerClient | None, batch_size: int, page_size: int) -> SyncReport:
    url, token = server_of(ctx)
    if not (url and token):
        raise SyncError("本设备尚未登记到中心服务器（hall-app enroll 服务器地址 登记码）", "config")
    check_database(ctx)
    opened = client is None  # the round closes only a client it opened itself
    client = client or ServerClient(url, token)
    report = SyncReport()
    try:
        state = client.state()
        server_high = int(state.get("device_seq_high", 0))
        report.reopened = reopen_lost(ctx, server_high)
        if cursor(ctx) > int(state.get("head", 0)):
            set_cursor(ctx, 0)  # the feed went back (restored, clock set back): read it all again
            report.repulled = True
        own = local_behind(ctx, server_high)
        push_outbox(ctx, client, batch_size, report.push, batch_bytes(state.get("max_body")))
        if own or report.push.renumbered:  # an older copy of this database: fetch our own events back
            set_cursor(ctx, 0)
            report.repulled = own = True
        pull_feed(ctx, client, page_size, report.pull, own=own)
        report.scans_sent, report.scans_refused = upload_scans(ctx, client)  # after the entries naming them
        if str(state.get("scope", "")).startswith("agent:"):  # after the push: the server knows the register
            report.extracts = refresh_extracts(ctx, client)
        if report.push.gaps:  # pulled all the same; the round is not a success until they are sent
            raise SyncError(f"服务器拒收 {report.push.gaps} 条事件（留在本机待上传）：{report.push.gap_error}",
                            "refused")
    finally:
        if opened:
            client.close()
    return report


def local_behind(ctx: "HallContext", server_high: int) -> bool:
    """True (and the device counter moved on) if the server holds events of this device
    numbered beyond any this database has: the file is an older copy of itself."""
    from sqlalchemy import func, select

    from hall_app.store.models import EventRow

    ctx._server_device_seq_high = server_high
    with ctx.Session.begin() as session:
        local = session.scalar(select(func.max(EventRow.device_seq)).where(EventRow.device_id == ctx.device_id)) or 0
        if server_high <= local:
            return False
        device = session.get(Device, ctx.device_id)
        device.last_seq = max(device.last_seq, server_high)
        return True


def enroll_device(ctx: "HallContext", server_url: str, code: str, name: str = "",
                  transport: httpx.BaseTransport | None = None) -> dict:
    """Spend an enrollment code; store the server, the token and the scope on this device."""
    url = server_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SyncError("服务器地址应以 http:// 或 https:// 开头", "config")
    with ServerClient(url, transport=transport) as client:
        answer = client.enroll(code.strip(), ctx.device_id, name or ctx.settings.device_name)
    if answer.get("device_id") != ctx.device_id or not answer.get("token"):
        raise SyncError("服务器的登记回答无法识别", "server")
    values = {"server_url": url, "token": answer["token"]}
    if answer.get("hall"):
        values["hall"] = answer["hall"]
    if answer.get("window"):
        values["window"] = answer["window"]
    with ctx.Session.begin() as session:
        previous = session.get(Device, ctx.device_id)
        if previous is not None and previous.server_url and previous.server_url != url:
            values["pull_cursor"] = 0  # another server: its feed positions mean nothing here
        session.execute(update(Device).where(Device.device_id == ctx.device_id).values(**values))
    return answer
