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
