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
    # PLACEHOLDER (issue 10): the queue figures come from queue events once the queue lands.
    queue = "排队叫号"
    queue_pending = "排队数据待接入\n（叫号模块）"
    deadlines = "限时办结（已逾期 · 今日到期 · {days} 个工作日内到期）"
    deadline_cols = ("状态", "到期日", "剩余", "类型", "受理编号", "事项", "窗口", "人员", "内容")
    days_left = "{n} 工作日"
    no_deadlines = "没有逾期或临近到期的办件"
    follow_ups = "差评整改（未办结）"
    follow_up_cols = ("状态", "整改期限", "受理编号", "评价", "事项", "窗口", "进度")
    overdue = "已逾期"
    on_track = "办理中"
    no_follow_ups = "没有待整改的差评"
    windows = "窗口与人员（今日）"
    window_cols = ("窗口/人员", "接件", "作出决定", "受理", "评价", "好评", "差评")


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
    keys_dimensions = "↓↑ 分项评价"
