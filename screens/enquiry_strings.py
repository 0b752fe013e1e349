"""Chinese text of the enquiry screen (咨询 / 首问负责 / 办不成事; screens/enquiry.py)."""

from __future__ import annotations


class Enquiry:
    title = "咨询登记 · 首问负责 · 办不成事"
    open_key = "咨询登记"  # in the palette and the help (not on the key bar: it is full at 80 columns)
    mine = "我首问负责、尚未办结的事项"
    mine_count = "我首问负责、尚未办结的事项（{n} 条；回车选中一条办结）"
    none_open = "没有待办结的事项"
    cols = ("编号", "登记时间", "类别", "内容")
    add = "登记新事项（回车到下一项，最后一项回车保存）"
    kind = "类别"
    kinds = ("咨询", "首问负责", "办不成事")
    topic = "内容"
    topic_hint = "群众问的是什么、要办什么"
    bundle = "涉及一件事"
    bundle_hint = "可不填：编号或名称"
    answered = "当场答复"
    yes_no = ("是", "否")
    phone = "联系电话"
    phone_hint = "需回复时才留"
    target_kind = "引导去向"
    target_kinds = ("部门", "窗口", "其他大厅", "其他")
    target = "引导到"
    target_hint = "部门、窗口或大厅名称"
    reason = "引导原因"
    why = "办不成原因"
    close = "办结所选事项"
    close_none = "办结：先在上面的列表中选中一条（回车）"
    close_which = "办结 {id}（{kind}）：{topic}"
    result = "结果"
    result_hint = "答复了什么、最后怎样解决"
    action = "采取措施"
    handled_by = "处理人"
    saved = "已登记{kind}，编号 {id}"
    saved_closed = "已登记{kind}，编号 {id}，当场答复已办结"
    closed = "已办结 {id}"
    back = "返回"
    new = "新登记"
    pick = "办结所选"
