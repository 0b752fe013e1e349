"""The demo hall's enquiries without a case (咨询, 首问负责, 办不成事), written through the
enquiry service on the days before today, so the supervisor's dashboard and the month's
report show each kind opened, answered at once, closed, still open and open overdue.

The open ones belong to chenjing (陈静, the supervisor, also at 1号窗口); zhangli's are all
closed, so the clerk's own list (F11) starts empty.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

# (days before today, minutes before that moment's clock, clerk, kind, topic, fields,
#  closed: (minutes after the opening, result, action, handled by) or None)
ENQUIRIES: tuple[tuple[int, int, str, str, str, dict[str, Any], tuple[int, str, str, str] | None], ...] = (
    (12, 0, "chenjing", "unresolved", "老年人优待证线上申请不了",
     {"why": "群众没有智能手机，线上渠道无法实名认证"}, None),  # open and overdue
    (9, 0, "chenjing", "referral", "残疾人证换领",
     {"target_kind": "department", "target": "区残联（鼎山街道）", "reason": "残疾人证由区残联办理"}, None),
    (4, 0, "zhangli", "unresolved", "异地医保备案提交失败", {"why": "省平台接口故障"},
     (24 * 60, "次日由信息中心人工报送，备案成功", "联系区信息中心人工报送", "陈静")),
    (2, 60, "zhangli", "referral", "社保卡补办",
     {"target_kind": "department", "target": "市社保局三楼", "reason": "本窗口不办理社保卡"},
     (120, "群众已在社保局办成", "", "")),
    (2, 30, "zhangli", "consult", "新生儿落户需要带哪些材料？", {"answered": True, "bundle": "newborn"}, None),
    (1, 90, "chenjing", "consult", "营业执照遗失怎么补办？", {"answered": True}, None),
    (1, 60, "chenjing", "consult", "独生子女父母奖励怎么申请？", {"phone": "13900002222"}, None),
    (1, 30, "chenjing", "unresolved", "电子证照调取失败，结婚证无法免交", {"why": "证照库暂时无法访问"}, None),
)


def seed_demo_enquiries(ctx: "HallContext") -> int:
    """Write the demo's enquiries as if on their days (the clock put back after); how many."""
    service, today_clock, now = ctx.enquiries, ctx.clock, ctx.clock()
    try:
        for days, minutes, clerk, kind, topic, fields, closed in ENQUIRIES:
            opened = now - dt.timedelta(days=days, minutes=minutes)
            ctx.clock = _fixed(opened)
            enquiry = service.add(clerk, kind, topic, window="W01" if clerk == "chenjing" else "W03", **fields)
            if closed is not None:
                after, result, action, handled_by = closed
                ctx.clock = _fixed(opened + dt.timedelta(minutes=after))
                service.close(enquiry.enquiry_id, clerk, result, action=action, handled_by=handled_by)
    finally:
        ctx.clock = today_clock
    return len(ENQUIRIES)


def _fixed(moment: dt.datetime):
    return lambda: moment
