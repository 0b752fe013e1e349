"""UI text after the counter (docs/dispatch.md): the case view's departments and
follow-ups, the 补交 and 送达 dialogs, the workbench's follow-up list, and the
告知承诺 decision."""

from __future__ import annotations


class Departments:
    heading = "各部门办理情况"
    cols = ("部门", "状态", "事项", "最近更新", "用时")
    not_sent = "待分发"
    took_done = "{n} 个工作日"
    took_same_day = "当日"
    took_running = "已 {n} 个工作日"
    delivered = "送达：{how}{waybill}　{at}"
    waybill = "　邮件号 {number}"
    flag = "⚑ {text}"


class CaseAfter:
    supply = "补交材料"
    supplement = "补正"
    hand_over = "送达"
    supplied = "已登记补交：{name}；{rest}"
    fetched = "（电子证照已调取）"
    all_supplied = "容缺材料已补齐"
    still_due = "仍待补交：{names}"
    handed_over = "已送达（{how}）。请邀请申请人对本次服务评价（好差评）"


class Terminate:
    key = "终止/撤销"
    title_overdue = "{kind}：容缺材料逾期未补交（已提醒，按承诺书处理）"
    reason_overdue = "理由（取自容缺受理承诺书，可修改；印在通知书上）"
    title_revoke = "撤销：告知承诺事项核查不实"
    reason = "撤销理由（印在通知书上）"
    done_overdue = "已{kind}（容缺材料逾期未补交，按容缺受理承诺书）"
    done_revoke = "已撤销（告知承诺核查不实）"


class Remind:
    key = "记录提醒"
    title = "提醒补交容缺材料 · {code}"
    what = "请于 {deadline} 前补交：{materials}"
    channel = "提醒方式（数字键或 ↑↓ 选择，回车 记录）"
    keys = "回车 记录提醒　{no} 取消"
    record = "记录提醒"
    cancel = "取消"
    working = "正在记录提醒…"
    done = "已记录提醒（{code}）：{stage}"
    not_due = "{code}：{stage}，现在不需要提醒"
    hint = "；{key} 记录提醒"


class Supply:
    title = "补交容缺材料 · {code}"
    hint = "选择补交的材料：回车登记纸质材料，{e} 调取在库电子证照；登记后打印补交材料收据"
    cols = ("材料", "情况")
    status = {"deferred": "待补交（容缺）", "deferred_elicence": "待补交·电子证照在库", "handed_in": "已收",
              "exempt": "电子证照在库", "missing": "缺", "not_applicable": "不需要"}
    deadline = "补交期限：{date}"
    keys = "↑↓ 选择　回车 登记纸质补交　{e} 电子证照已调取　{no} 取消"
    record = "登记补交"
    fetch = "电子证照已调取"
    cancel = "取消"


class Supplement:
    title = "补正 · {code}"
    item = "退回补正的事项"
    asked = "{item}　部门要求：{note}"
    cols = ("交来", "材料")
    keys = "↑↓ 选择　空格 勾选交来的材料　回车 登记补正　{no} 取消"
    tick = "勾选"
    record = "登记补正"
    cancel = "取消"
    done = "已登记补正：{item}退回{department}继续办理，新的承诺期限 {due}"


class HandOver:
    title = "送达 · {code}"
    method = "送达方式"
    methods = ("窗口领取", "邮政寄递", "电子证照")
    collector = "领取人身份证号码（申请人本人或登记的代办人）"
    waybill = "EMS 邮件号（如 EA123456785CN，或 13 位数字）"
    elicence = "办理结果以电子证照送达申请人的证照夹"
    proxy = "登记的代办人：{name}"
    keys = "填好后回车 确认送达　Shift+Tab 到送达方式（数字键或 ←→ 选择，回车 填写）　{no} 取消"
    working = "正在登记送达…"
    cancel = "取消"


class FollowUps:
    heading = "待跟进（{count} 件{due}，逾期在前；{key} 到此列表，回车打开办件）"
    heading_all = "待跟进 · 全部窗口（{count} 件{due}，逾期在前；{key} 到此列表，回车打开办件）"
    heading_due = "，本人办件到期 {n} 件"
    # the clerk's own case near or past its items' promised date (domain/dashboard.py clerk_due)
    due_today = "今日到期：{what}"
    due_soon = "{n} 个工作日内到期：{what}"
    due_late = "已超期 {n} 个工作日：{what}"
    due_late_weekend = "已超期（{date}）：{what}"  # past its date, no working day since
    none = "没有待跟进的办件"
    cols = ("跟踪码", "申请人", "状态", "待办事项")
    more = "（另 {n} 项）"
    focus = "待跟进"


class Pledge:
    option = ("告知承诺受理", "打印受理回执与告知承诺书：{items}凭申请人承诺当场受理，部门事后核查")
    key = "告知承诺"
    check_due = "告知承诺事项由部门于 {date} 前事后核查"


class NoticeReturn:
    """A citizen back after a one-time notice (screens/intake/materials.py in return mode)."""

    tag = "告知后补齐材料"
    heading = "只核对告知书所列 {count} 项（第 {n} 次告知 {date}，期限 {deadline}）"
    unlisted = "另有 {count} 项此前告知书未列：再次告知须写明原因"
    unlisted_note = "此前告知书未列；"
    summary = "已收 {handed} · 电子证照 {exempt} · 仍缺 {missing} · 容缺后补 {deferred}。情形、表单和申请人信息不再询问"
    hint = "逐项标记交来的材料（{h} 已收 / {m} 缺 / {d} 容缺），{key} 直接到“决定”"
    notice = "第 {n} 次告知 {date}（期限 {deadline}）{reason}"
    reason = "；再次告知原因：{text}"
    added = "；新增：{names}"
    resume_hint = "申请人补齐材料时按 {key} 继续办理：只核对告知书所列材料"
    waiting = "告知书所列待补交：{names}"
    nothing = "无"
    ready = "　已收：{names}"
    pending_flag = "一次性告知待补齐"  # domain/dispatch.py follow_up_flags: said by the line above
    left = "已记录交来的材料（跟踪码 {code}）：申请人再来时，查找跟踪码或身份证号即可继续"
    again_title = "再次告知增加了此前未告知的材料：{names}"
    again_reason = "增加的原因（必填，印在告知书上）"
