"""Every user-facing string of the agent's screens (帮代办工作台, the authorisation
form, the idle lock), one namespace per screen (issue 13)."""

from __future__ import annotations


class AgentHome:
    title = "帮代办工作台"
    title_of = "帮代办工作台 · {name}（{township}）"
    no_township = "未设服务乡镇"
    principals = "我的委托人（先授权，后代办）"
    no_principals = "尚无委托人：按 F6 录入授权委托书（先授权，后代办）"
    cols_principals = ("委托人", "证件号码", "关系", "授权事项", "有效期至", "状态", "档案")
    cases = "我的办件（委托 → 受理 → 办理 → 送达 → 归档 → 回访）"
    no_cases = "尚无代办办件"
    cols_cases = ("跟踪码", "委托人", "事项", "阶段", "下一步", "待传", "回传")
    stages = "阶段：{counts}　草稿 {drafts} 件　待上传 {waiting} 条　回传 {back} 件"
    sync_single = "同步：单机模式（未登记到中心服务器），办件全部保存在本机"
    sync_line = "同步：{label}　上次成功 {last}"
    sync_never = "从未"
    sync_failed = "　上次失败：{error}"
    revoked = "⚠ 本设备的授权已被吊销（设备挂失或停用）：办件不会再上传，请立即联系管理员"
    new = "新办"
    authorise = "录入授权"
    received = "收回签署件"
    print_form = "打印委托书"
    refresh = "刷新"
    logout = "注销"
    pick_principal = "请先在“我的委托人”中选中一位委托人"
    pick_bundle = "为 {name} 新办哪件事？"
    started = "已为 {name} 开始办理“{bundle}”"
    received_ok = "已登记收回 {name} 签署的授权委托书"
    scan_kept = "；扫描件已存入本机数据库，下次同步时上传"
    receive_title = "收回 {name} 签署的授权委托书"
    scan_path = "扫描件或照片的路径（PDF/JPEG/PNG，8 MB 以内，可不填）"
    printed = "授权委托书已生成：{path}"
    print_failed = "授权委托书已生成（{path}），但打印失败：{error}"
    recorded = "已录入 {name} 的授权委托书，有效期至 {until}；请打印（F8）后上门签署"
    loading = "正在读取…"
    deliver = "送达"
    follow_up = "回访"
    pick_case = "请先在“我的办件”中选中一个办件"
    go_to_cases = "送达和回访针对“我的办件”中选中的办件：请按 Tab 转到“我的办件”，选中办件后再按此键"
    deliver_title = "上门送达 {code}（委托人 {name}）"
    received_by = "签收人（委托人本人或其亲属）"
    delivered = "{code} 已送达；5个工作日内回访委托人（F10）"
    follow_up_title = "回访 {code}：代委托人 {name} 评价"
    level = "评价等级（5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意）"
    comment = "委托人的意见（可不填）"
    level_wrong = "评价等级请填 1 至 5"
    followed_up = "{code} 已回访，评价已记录（帮代办员代为评价）"


class Authorise:
    title = "录入授权委托书（先授权，后代办）"
    principal_id = "委托人身份证号码"
    principal_name = "委托人姓名（档案中没有时填写）"
    address = "委托人地址（档案中没有时填写）"
    relation = "受托人与委托人关系"
    bundles = "授权办理的事项（空格勾选）"
    valid_from = "委托起始日期"
    valid_until = "委托截止日期"
    method = "签署方式"
    attested_by = "出具证明的村（居）民委员会"
    keys = " {save} 保存　Tab 下一项　{discard} 清空重填　{cancel} 关闭（所填随时存入本机）"
    save = "保存"
    cancel = "关闭"
    discard = "清空重填"
    discard_title = "清空授权委托书"
    discard_ask = "清空本表已填写的全部内容？清空后不能恢复。"
    saving = "正在核验并保存…"


class Lock:
    db_locked = "本机数据已加密：输入用户名和密码即解锁并登录"
    title = "屏幕已锁定"
    hint = "{name}，本机闲置超过{minutes}分钟已锁定；请输入密码继续（已填写的内容都在）。"
    password = "密码"
    unlock = "解锁"
    wrong = "密码错误"
    logout = "注销"


class CaseScan:
    """The case view's key for the scan of the signed 授权委托书 (services/scan_copies.py)."""

    key = "授权扫描件"
    fetching = "正在取回授权委托书扫描件…"
    shown = "{what}：{where}"
    fetched = "（已从中心服务器取回）"
