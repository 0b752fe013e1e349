"""Build the data of a printed document from a case (no printing here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.domain import documents as d
from hall_app.domain.bundle import FORM_LABELS
from hall_app.domain.case import CaseState
from hall_app.domain.ids import mask_citizen_id
from hall_app.domain.planner import Plan
from hall_app.domain.tracking import format_tracking_code
from hall_app.services import documents_after as after
from hall_app.services.intake import IntakeError
from hall_app.store.models import Device, Hall, User, Window

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

PREFIX = {"receipt": "受", "notice": "告", "commitment": "容", "refusal": "不受", "authorisation": "委"}
PREFIX.update(after.PREFIX)


# `hall-app server` listens here by default: the QR of a hall with no server points at
# the server it would run itself, never at a domain the hall does not own.
LOCAL_SERVER = "http://127.0.0.1:8700"
NOTICE_FILE = "tracking-url-notice.txt"  # next to the database: the base URL already announced


@dataclass(frozen=True)
class TrackingBase:
    url: str  # no trailing slash; the QR carries {url}/t/{code}
    source: str  # configured | server | local

    @property
    def notice(self) -> str:
        """One line for the clerk or the admin, in Chinese."""
        if self.source == "configured":
            return f"回执二维码网址：{self.url}/t/…（配置项 tracking_base_url）"
        if self.source == "server":
            return (f"回执二维码指向本厅中心服务器：{self.url}/t/…；如需对外网址，"
                    "请在 hall-app.toml 中设置 tracking_base_url")
        return (f"单机模式：回执二维码指向本机 {self.url}/t/…（hall-app server 的默认地址），"
                "群众手机无法访问；请在 hall-app.toml 中设置 tracking_base_url 为本厅对外网址")


def tracking_base(ctx: "HallContext") -> TrackingBase:
    """Where the receipt's QR points: the configured ``tracking_base_url``, else the
    server this device is enrolled with (or the configured ``server_url``), else the
    local server address in single-machine mode."""
    configured = (ctx.settings.tracking_base_url or "").strip().rstrip("/")
    if configured:
        return TrackingBase(configured, "configured")
    with ctx.read() as session:
        enrolled = session.scalar(select(Device.server_url).where(Device.device_id == ctx.device_id)) or ""
    server = (enrolled or ctx.settings.server_url or "").strip().rstrip("/")
    if server:
        return TrackingBase(server, "server")
    return TrackingBase(LOCAL_SERVER, "local")


def tracking_notice(ctx: "HallContext", *, once: bool = True) -> str | None:
    """The notice about the QR address, for the first start (and again whenever the
    address changes). ``once=False``: whenever it is not configured explicitly."""
    base = tracking_base(ctx)
    if base.source == "configured":
        return None
    if not once:
        return base.notice
    marker = ctx.settings.db_path.parent / NOTICE_FILE
    try:
        if marker.read_text(encoding="utf-8").strip() == base.url:
            return None
    except OSError:
        pass
    try:
        marker.write_text(base.url + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only data folder: say it again next time rather than fail
    return base.notice


class DocumentService:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx

    def hall_info(self, state: CaseState, clerk: str = "") -> d.HallInfo:
        with self.ctx.read() as session:
            hall = session.get(Hall, state.hall)
            window = session.get(Window, state.window)
            user = session.get(User, clerk or state.claimed_by or state.created_by)
            return d.HallInfo(
                name=hall.name if hall else (state.hall or "政务服务中心"),
                address=hall.address if hall else "",
                phone=hall.phone if hall else "",
                window=window.name if window else state.window,
                clerk=user.display_name if user else (clerk or state.created_by),
            )

    def _base(self, kind: str, state: CaseState, plan: Plan, clerk: str, warnings: tuple[str, ...] = ()) -> dict:
        code = state.tracking_code
        year = (state.decided_at or state.created_at or self.ctx.now_iso())[:4]
        id_number = state.applicant.get("id_number") or state.applicant.get("uscc") or ""
        masked = mask_citizen_id(id_number) if state.applicant.get("id_number") else id_number
        return dict(
            hall=self.hall_info(state, clerk),
            tracking_code=code,
            tracking_url=f"{tracking_base(self.ctx).url}/t/{code}",
            document_number=f"{state.hall}{PREFIX[kind]}〔{year}〕{format_tracking_code(code)}号",
            # A decision's documents carry the decision's time, on every reprint too.
            issued_at=(state.decided_at if kind != "notice" else "") or self._notice_time(state, kind),
            applicant_name=state.applicant.get("name", ""),
            applicant_id_masked=masked,
            bundle_name=plan.bundle.name,
            warnings=warnings,
        )

    def _notice_time(self, state: CaseState, kind: str) -> str:
        if kind == "notice" and state.notices:
            return state.notices[-1].get("at") or self.ctx.now_iso()
        return self.ctx.now_iso()

    @staticmethod
    def _line(planned) -> d.MaterialLine:
        m = planned.material
        return d.MaterialLine(m.name, m.spec, FORM_LABELS[m.form], planned.note or "")

    def build(self, kind: str, case_id: str, clerk: str = ""):
        if kind not in d.DOCUMENT_KINDS:
            raise IntakeError(f"文书类型应为：{'、'.join(d.DOCUMENT_KINDS)}")
        state = self.ctx.cases.get(case_id)
        allowed = d.PRINTABLE_IN[kind]
        if allowed is not None and state.status not in allowed:
            raise IntakeError(f"办件状态为“{state.status_label}”，不能打印{d.DOCUMENT_KINDS[kind]}")
        plan = self.ctx.cases.plan(state)
        warnings = tuple(state.decision.get("warnings", ()))
        base = self._base(kind, state, plan, clerk, warnings)
        by_code = {p.material.code: p for p in plan.materials}
        if kind == "receipt":
            items = tuple(
                d.ItemLine(p.item.name, p.item.department, p.item.promised_days,
                           state.items.get(p.item.code, {}).get("due", ""), p.item.output)
                for p in plan.items if p.item.code in state.items)
            deferred = tuple(self._line(by_code[c]) for c in state.deferred if c in by_code)
            delivery = state.fields.get("delivery", "窗口领取")
            return d.ReceiptData(
                **base, items=items,
                received=tuple(self._line(p) for p in plan.materials if p.status == "handed_in"),
                exempted=tuple(self._line(p) for p in plan.exempt),
                deferred=deferred, deferred_deadline=state.deferred_deadline,
                delivery=delivery,
                # The address only goes with postal delivery (a window pick-up never shows one).
                mail_address=(state.fields.get("mail_address") or state.applicant.get("address", ""))
                if delivery == "邮政寄递" else "",
                expected_completion=max((i.due for i in items), default=""),
            )
        if kind == "notice":
            notice = state.notices[-1]
            return d.NoticeData(**base,
                                missing=tuple(self._line(by_code[c]) for c in notice["missing"] if c in by_code),
                                deadline=notice["deadline"], reason=notice.get("reason", ""),
                                sequence=len(state.notices),
                                added=tuple(by_code[c].material.name for c in notice.get("added", []) if c in by_code))
        if kind == "commitment":
            codes = state.decision.get("deferred") or state.deferred
            from hall_app.domain.deferral import consequence_text

            return d.CommitmentData(**base, deferred=tuple(self._line(by_code[c]) for c in codes if c in by_code),
                                    deadline=state.deferred_deadline,
                                    consequence=consequence_text(plan.bundle.deferral))  # the bundle's promise
        if kind in after.KINDS:
            return after.build(kind, state, plan, base, self._line)
        if kind == "refusal":
            return d.RefusalData(**base, reason=state.decision.get("reason", ""),
                                 basis=state.decision.get("basis", ""))
        proxy = state.proxy
        if not proxy:
            raise IntakeError("本办件没有代办人，无需授权委托书")
        return d.AuthorisationData(
            **base, principal_name=state.applicant.get("name", ""),
            principal_id_masked=base["applicant_id_masked"], proxy_name=proxy.get("name", ""),
            proxy_id_masked=mask_citizen_id(proxy.get("id_number", "")), relation=proxy.get("relation", ""),
            scope=tuple(p.item.name for p in plan.items),
            valid_until=self.ctx.calendar.add_working_days(self.ctx.today(), 20).date.isoformat(),
        )
