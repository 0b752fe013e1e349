"""Label tables shared by the core, the UI and the CLI. No imports: the UI reads
them before its first frame."""

STEPS = ("need", "flow", "applicant", "questions", "materials", "form", "review", "decision")
STEP_LABELS = {
    "need": "需求", "flow": "流程图", "applicant": "申请人", "questions": "情形",
    "materials": "材料", "form": "一表", "review": "核对", "decision": "决定",
}
MATERIAL_STATUS_LABELS = {
    "exempt": "电子证照免交",
    "handed_in": "已收",
    "missing": "缺",
    "deferred": "容缺后补",
}
ITEM_STATUS_LABELS = {
    "pending": "待受理",
    "dispatched": "已分发",
    "received": "部门已接收",
    "in_progress": "办理中",
    "needs_material": "需补正",
    "supplemented": "已补正",
    "approved": "已批准",
    "rejected": "不予批准",
    "completed": "已办结",
}
DOCUMENT_KINDS = {
    "receipt": "受理回执",
    "notice": "一次性告知书",
    "commitment": "容缺受理承诺书",
    "refusal": "不予受理通知书",
    "authorisation": "授权委托书",
    # after the counter (docs/dispatch.md)
    "delivery": "送达回证",
    "supply": "补交材料收据",
    "pledge": "告知承诺书",
    "termination": "终止办理通知书",
}
SUPPLY_LABELS = {"paper": "纸质材料", "elicence": "电子证照已调取"}  # how a deferred material came (case.supplied)
HAND_OVER_METHODS = {"window": "窗口领取", "mail": "邮政寄递", "elicence": "电子证照送达", "home": "帮代办员上门送达"}
APPLICANT_LABELS = {"id_number": "身份证号码", "uscc": "统一社会信用代码", "name": "姓名", "phone": "电话",
                    "address": "地址", "firm_name": "名称"}
