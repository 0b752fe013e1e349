"""User-facing strings of the supervisor's screens (issue 11): the dashboard and the
rating pad. Kept apart from screens/strings.py so the supervise work merges cleanly."""

from __future__ import annotations


class Dashboard:
    title = "监督看板 · {day}（周{weekday}）"
    open_key = "监督看板"
    refresh = "刷新"
    back = "返回"
    open_case = "查看办件"
    updated = "数据更新于 {time} · 统计期 {period} · 读取办件 {cases} 件"
    loading = "正在计算…"
    failed = "刷新失败（保留上次数据）：{error}"
    today = "今日办件"
    today_total = "合计 {n} 件"
    nothing = "（暂无）"
    ratings = "今日好差评"
    rated = "已评价 {n} 件"
    good_share = "好评率 {share}"
    follow_ups_open = "待整改差评 {n} 件"
    follow_ups_overdue = "其中逾期 {n} 件"
    reform = "改革成效"
    reform_period = "统计期 {period}"
    less_materials = "减材料 {v}"
    less_filling = "减填写 {v}"
    less_time = "减时间 {v}"
    less_trips = "减跑动 {v}"
    trips = "人均跑动 {v} 次"
    reform_cases = "办件 {n} 件"
    queue = "排队叫号"
    deadlines = "限时办结（已逾期 · 今日到期 · {days} 个工作日内到期）"
    deadline_cols = ("状态", "到期日", "剩余", "类型", "受理编号", "事项", "窗口", "人员", "内容")
    days_left = "{n} 工作日"
    no_deadlines = "没有逾期或临近到期的办件"
    follow_ups = "差评整改（未办结）"
    follow_up_cols = ("状态", "整改期限", "受理编号", "评价", "事项", "窗口", "进度")
    overdue = "已逾期"
    on_track = "办理中"
    no_follow_ups = "没有待整改的差评"
    visit_ref = "服务 {label}"  # a visit rated on the window's rate pad, by its number
    follow_up_step = "整改回访"
    follow_up_done = "已登记“{step}”：{ref}（{state}）"
    pick_follow_up = "已转到“差评整改”：用 ↑↓ 选择一行，再按 {key} 登记整改回访"
    rating_groups = "好差评（{period}；按事项、窗口、人员；窗口服务：未产生办件的服务评价）"
    rating_group_cols = ("事项/窗口/人员", "评价", "未评价", "好评率", "差评", "整改办结", "按期", "未办结", "逾期")
    no_rating_groups = "本期没有评价"
    windows = "窗口与人员（今日）"
    window_cols = ("窗口/人员", "接件", "作出决定", "受理", "评价", "好评", "差评")
    enquiries = "不建办件的登记（{period}；逾期：登记后 {days} 个工作日未办结）"
    enquiry_cols = ("类型", "登记", "当场答复", "办结", "未办结", "逾期未办结")
    no_enquiries = "本期没有咨询、首问负责或办不成事登记"


class QueueLive:
    """The live hall: the dashboard's queue panel (screens/dashboard_queue.py)."""

    title = "实时大厅（等候目标 {target:g} 分钟）"
    switch = "采纳潮汐建议"
    updated = "数据更新于 {time}"
    offline = "离线（保留 {time} 的数据）"
    offline_never = "离线（尚无数据）"
    loading = "正在读取排队数据…"
    not_set_up = "本大厅未启用排队叫号"
    failed = "排队数据读取失败：{error}"
    box_waiting = "等候 {n} 人 · 今日办结 {served} 人"
    box_sla = "{target:g} 分钟内叫号 {sla} · 过号率 {no_show}"
    box_alerts = "需处理提醒 {n} 条"
    box_no_alerts = "暂无提醒"
    alerts = "提醒（光标选中潮汐建议后按 F9 采纳）"
    no_alerts = "没有需要处理的提醒"
    alert_cols = ("类型", "内容")
    alert_kinds = {"over_target": "超时等候", "idle_with_queue": "空闲有人等", "tidal": "潮汐建议",
                   "paused_long": "暂停过久"}
    over_target = "{line} 最长已等 {minutes:.0f} 分钟（目标 {target:g} 分钟），等候 {waiting} 人"
    idle_with_queue = "{window} 已空闲 {minutes:.0f} 分钟，所办业务有 {waiting} 人等候"
    tidal = "{line} 预计等候约 {minutes:.0f} 分钟；建议 {window} 改为优先办理{line}"
    paused_long = "{window} 已暂停 {minutes:.0f} 分钟"
    lines = "各业务等候（今日）"
    line_cols = ("业务", "等候", "最长", "P50", "P90", "已叫", "办结", "达标率", "过号率", "等候人数走势",
                 "平均等候走势")
    windows = "各窗口（今日）"
    window_cols = ("窗口", "状态", "办理业务", "当前号", "人员", "办结", "平均用时", "状态时长", "")
    idle_flag = "空闲·有人等候"
    minutes = "{m:.0f}分"
    switched = "已切换：{window} 改为优先办理{line}"
    switch_none = "当前没有潮汐切换建议"
    switch_failed = "切换未成功：{error}"


class RatePad:
    title = "请您对本次服务作出评价"
    subtitle = "受理编号 {code}"
    levels_hint = "请按数字键选择满意程度"
    reasons_title = "请选择原因（按字母键勾选，可多选；回车提交）"
    keys_level = "回车 提交 · Esc 暂不评价"
    submit = "提交评价"
    skip = "暂不评价"
    open_key = "评价器"
    thanks = "感谢您的评价！（{label}）"
    unrated = "群众未作评价（未评价）"
    follow_up = "差评已登记，须于 {due} 前核实整改并回访"
    timeout = "{seconds} 秒无操作将记为未评价"
    choose_level = "请先选择满意程度"
    dimensions_title = "分项评价（可选：↓↑ 选择项目，数字键 1–5 评分，0 清除）"
    dimension_unset = "未评"


class RatePadProgram:  # hall-app rate-pad --window W03 (screens/rate_pad_program.py)
    title = "{window} 窗口 · 好差评"
    welcome = "欢迎您！"
    idle = "请对本次服务作出评价"
    idle_hint = "窗口办结后，这里会请您评价本次服务"
    visit = "{window} 窗口 · {label} 号"
    thanks = "感谢您的评价！（{label}）"
    unrated = "本次服务记为未评价"
    offline = "离线：无法连接排队服务（{error}），恢复后自动继续"
    pending = "评价尚未送达（{error}），恢复连接后自动补记"
    refused = "未能记录评价：{error}"
    quit = "退出"


class FollowUpStep:  # 登记整改回访 (screens/follow_up_dialog.py), from the dashboard's 差评整改 list
    title = "差评整改回访：{ref}"
    about = "{level} · 当前“{state}” · 整改期限 {due}{late}"
    late = "（已逾期）"
    steps = "下一步（数字键选择）："
    step_only = "下一步（只有这一步，已选定）："  # one way on: the focus is in the note, a digit is text
    note = "情况说明（办结须写明处理结果，回访须写明群众意见）："
    record = "登记"
    cancel = "取消"
    keys = "数字键选择步骤 · Tab 到说明 · Enter 登记 · {no} 取消"
    keys_only = "直接填写说明 · Enter 登记 · {no} 取消"
    working = "正在登记…"
    step_labels = {"verified": "核实", "rectified": "整改", "explained": "解释说明", "appealed": "申诉",
                   "revisited": "回访", "closed": "办结"}
    step_hints = {"verified": "调取录像、询问当事人", "rectified": "属实：整改并写明措施",
                  "explained": "有误会：向群众解释说明", "appealed": "恶意或错误差评：申诉",
                  "revisited": "回访群众，记录其意见", "closed": "写明处理结果后办结"}
    closed = "该差评整改已办结"


class ReportExport:  # 导出统计报表 (screens/report_export.py), F7 on the dashboard
    open_key = "导出报表"
    title = "导出统计报表"
    about = "含办件、改革成效、分组好差评和不建办件的登记（同 hall-app report）"
    first = "开始日期"
    last = "结束日期"
    by = "分组："
    kind = "格式："
    groups = {"bundle": "按事项", "window": "按窗口", "clerk": "按人员", "day": "按日期"}
    kinds = {"csv": "CSV", "xlsx": "XLSX", "pdf": "PDF"}
    folder = "保存到文件夹（没有则新建）："
    file = "文件名：{name}"
    keys = "Tab 下一项 · 数字键或 ←→ 选择 · Enter 导出 · {no} 取消"
    cancel = "取消"
    working = "正在生成…"
    bad_date = "{what}应写作 YYYY-MM-DD，例如 2026-11-01（收到：{text}）"
    done = "已导出 {period} 统计（{kind}，办件 {cases} 件、评价 {ratings} 次）：{path}"
