"""Every user-facing string of the clerk's counter, one namespace per screen.

The UI speaks simplified Chinese; names here are English. Keeping the text in one
place keeps the wording consistent (GLOSSARY.md) and makes review easy.
"""

from __future__ import annotations

from hall_app.domain.labels import STEP_LABELS


class App:
    title = "政务服务中心 · 综合窗口"
    help = "帮助"
    quit = "退出"
    theme = "明暗主题"
    palette = "命令面板"
    opening = "正在打开数据库…"
    db_error = "数据库无法打开"
    internal_error = "内部错误（已记录，可重试）："
    not_signed_in = "未登录"
    signed_out = "已注销"
    claimed_away = "该办件已由 {user} 接手；为免冲突，您已回到工作台。"


class Inputs:
    paste_cut = "粘贴内容超过本栏上限{limit}字：已保留前{kept}字，舍去{dropped}字"


class Login:
    title = "登录"
    first_run_title = "首次使用：创建管理员账号"
    first_run_hint = "数据库中还没有任何用户。请先创建管理员账号，之后可在“用户管理”中添加窗口人员。"
    username = "用户名"
    password = "密码"
    password_again = "再次输入密码"
    display_name = "显示姓名"
    submit = "登录"
    create = "创建并登录"
    checking = "正在核验…"
    demo_hint = "演示账号：{user}　密码：{password}"
    empty_username = "请输入用户名"
    empty_password = "请输入密码"
    mismatch = "两次输入的密码不一致"
    wait = "请等待 {seconds} 秒后再试"
    welcome = "欢迎，{name}（{role}）"
    keys = " {submit} 登录　Tab 下一项　{help} 帮助　{palette} 命令面板　{quit} 退出"  # keys in force


class Workbench:
    title = "工作台"
    search_label = "查找"
    search_placeholder = "跟踪码 / 扫码 / 身份证号 / 统一社会信用代码 / 姓名，回车查找"
    today = "今日本窗口办件"
    today_all = "今日全部窗口办件"
    page = "按接件时间，新的在前 · 第 {page}/{pages} 页，共 {total} 件"
    drafts = "草稿（回车继续办理）"
    no_drafts = "没有未完成的草稿"
    no_cases = "今日尚无办件"
    results = "查找“{query}”：{count} 件"
    no_results = "没有找到“{query}”"
    searching = "正在查找…"
    id_hint = "（{error}）"
    cols_today = ("跟踪码", "接件", "申请人", "一件事", "状态", "经办")
    cols_drafts = ("跟踪码", "申请人", "一件事", "步骤", "经办", "更新")
    new = "新办"
    open = "打开"
    view = "详情"
    refresh = "刷新"
    focus_search = "查找"
    clear = "清除查找"
    all_windows = "全部窗口"
    users = "用户管理"
    bundles = "套餐审核"  # screens/bundle_review.py
    logout = "注销"
    prev_page = "上一页"
    next_page = "下一页"
    taken_confirm = "{message}\n\n接手后，原经办人换步骤时会被告知并退出本办件。确定接手吗？"
    cannot_intake = "您的角色（{role}）不能受理办件"
    void = "作废"
    void_title = "作废草稿 {code}（{applicant}）"
    void_reason = "作废原因（如：群众放弃办理）"
    voided = "已作废草稿 {code}：{reason}"
    not_voidable = "只有草稿或已一次性告知的办件可以在此作废（{status}）"


class Intake:
    title = "智能导办"
    ticket = "号 {number}"  # the queue ticket being served (issue 10)
    prev = "上一步"
    next = "下一步"
    leave = "回工作台"
    saved_hint = "已自动保存，可随时离开"
    draft_kept = "草稿已保存（跟踪码 {code}）：在工作台“草稿”中回车可继续办理"
    nothing_started = "尚未选择一件事，未建立草稿"
    first_step = "已是第一步"
    last_step = "已是最后一步"
    need_bundle_first = "请先选择一件事"
    decided = "办件{status}，以下内容仅供查看"
    change = "情形变化：{text}"


class Need:
    prompt = "群众要办什么？"
    placeholder = "说出需求，如：生孩子、上户口、开火锅店、退休"
    suggestions = "推荐（{key} 选择）"  # the keys in force: need.choose
    frequent = "本窗口常办"
    browse = "按阶段浏览（Tab 切换）"
    loading = "正在载入一件事目录…"
    none = "没有找到匹配的一件事，可换个说法，或按 Tab 按阶段浏览"
    chosen = "已选：{name}"
    chosen_hint = "{key} 继续；如需改办其他一件事，在下方重新选择（当前草稿将作废）"
    change_confirm = "改办“{name}”将作废当前草稿（原因：改选一件事）。确定吗？"
    void_reason = "改选一件事：{name}"
    choose = "选择"
    browse_key = "浏览"
    up = "上"
    down = "下"
    catalog_error = "一件事目录有错误，请联系管理员：{error}"
    not_offered = "［暂未开通］"
    differs = "  └ {text}"  # the one-line difference under a look-alike's name
    not_offered_warning = "“{name}”暂未开通受理（办理内容待完善），不能在本窗口一次办；请改选其他一件事，或告知群众到牵头部门办理"  # noqa: E501 - one message kept whole


class Flow:
    heading = "办事流程图"
    lead = "牵头部门：{lead}"
    cooperating = "配合单位：{names}"
    intake = "综合窗口一次受理（一表申报、材料一次提交）"
    item = "{name}｜{department}｜承诺{promised}个工作日（法定{statutory}）"
    when = "视情形：{reason}"
    rarely = "个别情形，窗口按需增加"
    output = "出件：{output}"
    delivery = "窗口领取或邮政寄递"
    materials = "可能需要的材料（有电子证照的免交）"
    material = "{name}（{form}）"
    elicence = "电子证照“{name}”可免交"
    go = "继续"


class Applicant:
    heading = "申请人"
    id_label = "证件号码"
    id_placeholder = "身份证号码或统一社会信用代码（18位）"
    name = "姓名/名称"
    phone = "联系电话"
    address = "地址"
    id_ok_person = "✓ 身份证号码有效（{sex}，{birth}）"
    id_ok_firm = "✓ 统一社会信用代码有效"
    file_heading = "档案（一人一档 / 一企一档）"
    file_none = "档案中没有此证件号码：请核对证件，姓名等信息需手工录入"
    file_waiting = "输入有效证件号码后自动读取档案"
    file_line = "{kind}：{name}　{extra}"
    elicences = "在库电子证照：{names}"
    no_elicences = "在库电子证照：无"
    dishonest = "⚠ 有未结失信记录：不适用容缺受理"
    local = "本市户籍"
    nonlocal_ = "非本市户籍"
    proxy_heading = "代办人（亲人帮助办理 / 帮代办）"
    proxy_toggle = "代办人"
    proxy_off = "本人办理（{key} 添加代办人）"  # the key in force
    proxy_name = "代办人姓名"
    proxy_id = "代办人身份证"
    proxy_relation = "与申请人关系"
    proxy_saved = "代办人已记录：{name}（{relation}）"
    proxy_cleared = "已改为本人办理"
    next_field = "确认"
    blocked_id = "证件号码有误：{error}。请更正后再继续（有误的号码不能受理）"
    blocked_field = "{error}。请更正后再继续"


class Questions:
    heading = "情形问题（数字键选择，{up}{down} 移动）"  # the keys in force
    pending = "待答"
    all_answered = "全部问题已回答，{key} 继续"
    left = "还有 {n} 个问题未回答"
    choose = "选择"
    clear = "清除"
    go = "继续"
    no_questions = "本一件事没有需要回答的情形问题，{key} 继续"
    cleared = "已清除答案：{text}"
    fresh = "新增"
    fresh_unseen = "新增问题“{text}”在按键之后才出现，该按键未作答：请看清后再选择"


class Materials:
    heading = "材料清单"
    cols = ("材料", "形式", "要求", "状态", "说明")
    summary = "共 {total} 项：电子证照免交 {exempt} · 已收 {handed} · 缺 {missing} · 容缺后补 {deferred}"
    toggle = "切换"
    handed = "已收"
    missing = "缺"
    deferred = "容缺"
    all_in = "全部已收"
    go = "继续"
    all_marked = "已将 {n} 项材料标为已收"
    copies = "×{n}份"
    status = {
        "exempt": "✓ 电子证照",
        "handed_in": "● 已收",
        "missing": "✗ 缺",
        "deferred": "◐ 容缺后补",
    }


class Form:
    heading = "一表申报（已合并 {asked} 项，分别填写需 {without} 项）"
    prefilled = "预填"
    draft = "未提交"
    wrong = "✗ 有误"
    required = "*"
    confirm = "确认"
    up = "上一项"
    down = "下一项"
    choice_hint = "数字键选择"
    all_done = "表单已填写完整"


class Review:
    heading = "核对"
    bundle = "一件事：{name}"
    applicant = "申请人：{name}　{id}"
    proxy = "代办人：{name}（{relation}）"
    items = "办理事项与期限"
    due = "{name}｜{department}｜承诺{days}个工作日｜预计 {due}"
    materials = "材料：免交 {exempt} 项 · 已收 {handed} 项 · 缺 {missing} 项 · 容缺 {deferred} 项"
    missing_list = "缺少：{names}"
    deferred_list = "容缺后补：{names}"
    form = "表单：{count} 项"
    spared = "为群众节省：{text}"
    warnings = "注意"
    blockers = "尚不能作出决定"
    accept_blockers = "尚不能直接受理"
    suggested = "建议：{decision}"
    fix_first = "建议：先更正所列问题（{prev} 返回修改），再{decision}"  # prev: the key in force
    complete_first = "建议：先补全所列信息（{prev} 返回），再作决定"
    go = "去决定"
    dishonest = "申请人有未结失信记录：不适用容缺受理"


class Decision:
    heading = "决定"
    suggested = "建议：{label}（{key} 执行高亮项）"
    options = {
        "accept": ("受理", "打印受理回执"),
        "defer": ("容缺受理", "打印受理回执与容缺受理承诺书"),
        "notice": ("一次性告知", "打印一次性告知书，列明全部缺少材料"),
        "refuse": ("不予受理", "打印不予受理通知书，须写明理由"),
    }
    unavailable = "暂不可用：{why}"
    working = "正在办理…"
    done = "{status}　跟踪码 {code}"
    expected = "预计办结：{date}"
    deadline = "补交期限：{date}"
    printing = "正在打印{doc}…"
    printed = "✓ {doc}：已生成 {path}"
    sent = "　已发送到 {printer}"
    print_failed = "✗ {doc}：打印失败（{error}）。决定已生效，按 {key} 重新打印"
    reprint = "重新打印"
    printed_short = "已打印：{docs}"
    finish = "完成"
    view = "办件详情"
    refuse_title = "不予受理"
    refuse_reason = "理由（必填）"
    refuse_basis = "依据（可选）"
    execute = "执行"


class CaseView:
    title = "办件详情"
    summary = "{bundle}　{status}　申请人：{name}　窗口：{window}　经办：{clerk}"
    created = "开始：{created}　更新：{updated}　决定：{decided}"
    review = "⚠ 需人工核对（同步冲突，k 核对完毕）"
    reviewed = "已核对：{note}（{by}，{at}）"
    mark_reviewed = "核对完毕"
    review_title = "核对完毕：冲突的两个值都保留在经过中"
    review_note = "核对结论"
    review_done = "已标记核对完毕"
    anomalies = "异常：{text}"
    items = "事项"
    item_cols = ("事项", "部门", "状态", "期限")
    docs = "文书（r 重新打印所选）"
    doc_cols = ("文书", "时间", "纸张", "结果")
    timeline = "经过（谁、何时、做了什么）"
    timeline_cols = ("时间", "操作人", "操作", "内容")
    no_docs = "尚未打印文书"
    back = "返回"
    reprint = "重新打印"
    resume = "继续办理"
    no_print = "本办件当前状态没有可打印的文书"
    not_editable = "办件{status}，不能继续办理"
    printed_ok = "已重新打印"
    printer_error = "打印机出错：{error}"


class Palette:
    placeholder = "搜索命令…（中文或拼音，如 xb 即“新办”）"
    no_matches = "没有匹配的命令"


class Help:
    title = "按键帮助"
    close = "关闭"
    app = "全局"
    screen = "本页"
    editing = "输入框"
    editing_keys = (
        ("← →", "移动光标"), ("Home / End", "行首 / 行尾"), ("Backspace / Delete", "删除"),
        ("Ctrl+V / 粘贴", "粘贴（多行合为一行；证件号、电话、日期中的全角数字自动规范，文字和中文标点保持原样）"),
        ("Tab / Shift+Tab", "下一个 / 上一个输入项"),
    )
    palette = "{key} 打开命令面板：输入文字或拼音首字母（xb）查找本页的全部操作"


class Dialog:
    yes = "确定"
    no = "取消"
    ok = "好"
    keys = "{yes} 确定　{no} 取消"  # the keys in force
    ok_keys = "{ok} 好"
    reason_keys = "回车 确定　{no} 取消"
    required = "请填写{label}"


class Users:
    title = "用户管理"
    cols = ("用户名", "姓名", "角色", "窗口", "状态")
    create = "新增用户"
    username = "用户名"
    display_name = "姓名"
    role = "角色"
    window = "窗口"
    password = "初始密码"
    created = "已创建用户 {user}（{role}）"
    back = "返回"
    active = "在用"
    inactive = "停用"


STEP_TITLES = STEP_LABELS
CIRCLED = "①②③④⑤⑥⑦⑧⑨"
WEEKDAYS = "一二三四五六日"



# -- bundle review before launch (screens/bundle_review.py, screens/bundle_detail.py) ----------
class BundleReview:
    title = "套餐审核（上线前审核）"
    cols = ("状态", "一件事", "编号", "说明")
    checking = "校验中"
    loading = "正在读取并校验套餐文件…"
    auditing = "已读取 {n} 个套餐；正在按情形答案试运行，完成后显示最终状态…"
    summary = "共 {n} 个套餐：{counts}"
    unreadable = "另有 {n} 个文件无法读取：{first}"
    offer_complete = "本机受理：全部完整套餐（bundle_offer = complete，演示用）"
    offer_published = "本机受理：仅已发布的套餐（bundle_offer = published）"
    list_keys = "回车 查看并审核"
    open = "查看"
    refresh = "刷新"
    back = "返回"
    detail_title = "套餐审核 · {name}（{code}，第{version}版）"
    state = "状态：{state}（{why}）"
    problems = "\n校验发现 {n} 个问题（全部见“七、校验结果”）："
    approve = "审核通过"
    publish = "发布"
    approve_title = "审核通过“{name}”（内容 {hash}）"
    approve_note = "审核意见（将与审核人、时间一起记录）"
    publish_confirm = ("发布“{name}”（内容 {hash}）？\n\n发布人：{by}\n发布后，本机按 bundle_offer = published 受理时"
                       "即可选用；用 hall-app server publish-bundles 发送到各设备。")
    publish_title = "发布套餐"
    reviewed = "已记录：{by} 审核通过“{name}”"
    published = "已记录：{by} 发布“{name}”；用 hall-app server publish-bundles 发送到设备"
    not_reviewable = "当前为{state}，不能审核：{why}"
    not_publishable = "当前为{state}，只有已审核的套餐可以发布"
    reviewer = "{name}（{username}）"
