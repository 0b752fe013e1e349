"""Every Chinese string that goes on paper or to the clerk, in one place.

Code elsewhere in ``printing/`` speaks English; it looks words up here.
"""

from __future__ import annotations

# Document titles: the domain's catalog is the single source.
from hall_app.domain.documents import DOCUMENT_KINDS as TITLES  # noqa: F401

MISSING_GLYPH = "〓"  # printed where no font has the character (the typesetter's geta mark)

# -- common ---------------------------------------------------------------
DOC_NUMBER = "文书编号"
TRACKING_CODE = "跟踪码"
ISSUED_AT = "受理时间"
DATE = "日期"
APPLICANT = "申请人"
ID_NUMBER = "身份证号"
BUNDLE = "办理事项"
PHONE = "咨询电话"
WINDOW = "受理窗口"
CLERK = "受理人"
ADDRESS = "地址"
SEAL = "（印章）"
SEAL_ORG = "受理单位（盖章）"
PAGE = "第 {page} 页 / 共 {pages} 页"
QR_CAPTION = "扫码查询办理进度"
QR_HINT = "也可凭跟踪码 {code} 到窗口或拨打咨询电话查询"
NOTICE_BOX = "【提示】"
COUNT_ITEMS = "（共 {n} 项）"
DAYS = "{n}个工作日"
SIGN_DATE = "日期：______年____月____日"
NONE = "无"

# -- receipt --------------------------------------------------------------
ITEMS = "办理事项明细"
ITEM_HEAD = ("序号", "事项名称", "承办部门", "承诺时限", "预计办结")
ITEM_DEPT = "承办部门"
ITEM_LIMIT = "承诺时限"
ITEM_DUE = "预计办结"
ITEM_OUTPUT = "办理结果"
EXPECTED = "预计全部办结日期：{date}"
RECEIVED = "已收材料"
EXEMPTED = "电子证照免交（免交 {n} 项）"
EXEMPTED_LEAD = "以下材料已通过电子证照调取，免于提交："
DEFERRED = "容缺材料"
DEFERRED_LEAD = "以下材料容缺受理，须于 {date} 前补交（详见《容缺受理承诺书》）："
DELIVERY = "领取方式"
DELIVERY_WINDOW = "窗口领取"
DELIVERY_MAIL = "邮政寄递"
MAIL_TO = "寄递地址"
RECEIPT_KEEP = "请妥善保管本回执，领取办理结果时请出示本回执及身份证件。"

# -- one-time notice ------------------------------------------------------
NOTICE_SEQ = "（第 {n} 次告知）"
NOTICE_SEQ_REASON = "再次告知原因：{reason}"
NOTICE_SEQ_ADDED = "此前告知书未列、本次增加的材料：{names}"
NOTICE_LEAD = (
    "{name}：您于{date}申请办理的“{bundle}”，经审查，申请材料不齐全或者不符合法定形式。"
    "现将需要补正的全部材料一次性告知如下："
)
MISSING_HEAD = ("序号", "需补正的材料", "要求（怎样才算有效）")
NOTICE_DEADLINE = "请于 {date} 前补正上述全部材料。"
NOTICE_HOW = "补正方式（任选其一）："
HOW_WINDOW_AT = "（{place}）"
NOTICE_AFTER = "材料补正齐全后，本中心即予受理并出具受理回执。"
NOTICE_LAW = (
    "依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，"
    "应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，"
    "自收到申请材料之日起即为受理。本告知书已一次性、完整告知全部需补正内容。"
)
RECIPIENT_SIGN = "申请人签收：____________"
ISSUER = "告知人"

# -- commitment -----------------------------------------------------------
COMMIT_LEAD = (
    "本人{name}（身份证号：{id}）申请办理“{bundle}”，因下列非关键材料暂时缺失，"
    "申请容缺受理，并郑重承诺："
)
COMMIT_ITEMS = "暂缺材料"
COMMIT_PROMISE = "一、于 {date} 前补交上述全部材料，并保证所补交材料真实、有效，与已提交内容一致。"
COMMIT_CONSEQ = "二、知悉并同意：{text}"
COMMIT_TRUE = "三、本人对所作承诺的真实性负责。"
COMMITTER_SIGN = "承诺人（签名或按指印）：____________"

# -- refusal --------------------------------------------------------------
REFUSAL_LEAD = "{name}：您于{date}提出的“{bundle}”申请，经审查，决定不予受理。"
REFUSAL_REASON = "不予受理的理由："
REFUSAL_BASIS = "依据："
REFUSAL_BASIS_DEFAULT = "《中华人民共和国行政许可法》第三十二条"
REFUSAL_RIGHTS = (
    "如对本决定不服，可以自收到本通知书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)
REFUSAL_REVIEW_BODY = "行政复议机关：{body}"
REFUSAL_COURT = "管辖人民法院：{court}"

# -- authorisation --------------------------------------------------------
PRINCIPAL = "委托人"
PROXY = "受托人"
RELATION = "与委托人关系"
AUTH_LEAD = "委托人现委托受托人代为办理“{bundle}”中的下列政务服务事项："
AUTH_SCOPE_DEFAULT = "“{bundle}”所含全部事项"
AUTH_POWERS = "委托权限：代为提交申请材料、填写并签署申请表、领取办理结果及相关文书。"
AUTH_VALID = "委托期限：自签署之日起至 {date} 止。"
AUTH_VALID_RANGE = "委托期限：自 {start} 起至 {date} 止。"
AUTH_METHOD = "签署方式：{method}"
VILLAGE_NAMED = "出具证明的村（居）民委员会：{name}"
AUTH_VALID_OPEN = "委托期限：自签署之日起至上述事项办结止。"
AUTH_DUTY = (
    "受托人在上述权限内办理的相关事项，委托人均予以承认，并承担相应的法律责任。受托人不得转委托。"
)
PRINCIPAL_SIGN = "委托人（签名或按指印）：____________"
PROXY_SIGN = "受托人（签名）：____________"
VILLAGE_TITLE = "委托人无法签名时（由村（居）民委员会代为证明）"
VILLAGE_TEXT = "委托人因年老、疾病、残疾等原因无法签名，经本委员会核实，以上委托属实。"
VILLAGE_SIGN = "经办人（签名）：____________  联系电话：____________"
VILLAGE_SEAL = "村（居）民委员会（盖章）"

# -- after the counter: 送达回证, 补交材料收据, 告知承诺书, 终止办理通知书 ----------
DELIVERY_LEAD = "“{bundle}”的办理结果已于 {date} 送达，明细如下："
DELIVERY_METHOD = "送达方式"
DELIVERY_WAYBILL = "EMS 邮件号"
DELIVERY_COLLECTOR = "领取人"
DELIVERY_RESULTS = "送达文书"
DELIVERY_SIGN = "受送达人（签名或按指印）：____________"
SUPPLY_LEAD = "{name}：您于 {date} 补交的容缺材料已收到，明细如下："
SUPPLY_ITEMS = "本次补交"
SUPPLY_STILL = "仍需补交（期限 {date}）"
SUPPLY_DONE = "容缺材料已全部补齐。"
PLEDGE_LEAD = "申请人 {name}（证件号 {id}）就“{bundle}”中的下列事项，自愿作出告知承诺："
PLEDGE_ITEMS = "承诺事项"
PLEDGE_PROMISE = "一、本人已知晓上述事项的许可条件，承诺符合条件，所提交信息真实、有效。"
PLEDGE_CHECK = "二、知悉并同意：行政机关于 {date} 前进行事后核查。{text}"
PLEDGE_TRUE = "三、本人对所作承诺的真实性负责。"
TERMINATION_LEAD = "{name}：您申请办理的“{bundle}”，决定{kind}。"
TERMINATION_REASON = "理由："
TERMINATION_BASIS = "依据："

# -- warnings returned to the caller (not printed) ------------------------
W_MISSING_GLYPH = "“{char}”（U+{code:04X}）字库中没有此字，已印为“{mark}”，请在纸面上手写补正"
W_UNMASKED_ID = "文书内容中出现完整的身份证号，已自动遮蔽为 {masked}"
W_NO_QR_URL = "缺少查询网址（tracking_url），未印二维码"
W_FONT_SKIPPED = "字体 {path} 不可用（{why}），已改用其他字体"
W_ROLL_FOR_PRINTER = "热敏打印机只能打印卷纸，已按 {paper} 卷纸排版"

# -- errors for the clerk -------------------------------------------------
E_NO_FONT = (
    "未找到可嵌入的中文字体，无法生成文书。请执行 pip install paperang-p2-fonts-cjk，"
    "或在设置中指定 TrueType 中文字体文件（环境变量 HALL_FONT）。"
)
E_FONT_CFF = "这是 CFF/PostScript 轮廓的 OpenType 字体，无法嵌入，请改用 .ttf/.ttc 字体"
E_FONT_MISSING = "文件不存在"
E_FONT_BAD = "无法读取：{err}"
E_FONT_NO_HAN = "不含常用汉字"
E_RENDER = "文书生成失败：{err}"
E_SAVE = "PDF 文件无法保存到 {path}：{err}"
E_LP_MISSING = "未找到打印命令 lp（{path}）：本机未安装 CUPS 打印系统。PDF 已保存，可稍后补打。"
E_CUPS_QUEUE = "打印队列“{queue}”不存在，请在设置中核对打印机名称（lpstat -p 可列出队列）。PDF 已保存。"
E_CUPS_DISABLED = "打印机“{queue}”已停用或未开机，请检查电源和连接后重试。PDF 已保存。"
E_CUPS_REJECTING = "打印机“{queue}”当前不接受打印任务，请检查打印机状态。PDF 已保存。"
E_CUPS_SERVER = "无法连接 CUPS 打印服务（cupsd 未运行？）。PDF 已保存，可稍后补打。"
E_CUPS_TIMEOUT = "打印命令 {seconds} 秒内无响应，请检查打印服务。PDF 已保存，可稍后补打。"
E_CUPS_OTHER = "打印失败：{detail}。PDF 已保存，可稍后补打。"
E_CUPS_NO_QUEUE = "未设置打印队列名称（cups_queue）。PDF 已保存。"
E_ESCPOS_NET = "无法连接热敏打印机 {host}:{port}（{detail}），请检查打印机电源、网线和 IP 地址。PDF 已保存，可稍后补打。"  # noqa: E501 - one message kept whole
E_ESCPOS_USB = "未找到 USB 热敏打印机（厂商 {vendor:04x}，型号 {product:04x}），请检查 USB 连接和电源。PDF 已保存。"
E_ESCPOS_NO_PYUSB = "未安装 USB 打印支持库（pip install pyusb，并需要系统的 libusb）。PDF 已保存。"
E_ESCPOS_CONFIG = "未设置热敏打印机地址（escpos_host 或 escpos_usb_vendor/escpos_usb_product）。PDF 已保存。"
E_ESCPOS_PAPER = "热敏打印机缺纸，请装纸后补打。PDF 已保存。"
E_ESCPOS_SEND = "向热敏打印机发送数据失败（{detail}），打印可能不完整，请检查后补打。PDF 已保存。"
E_UNKNOWN_BACKEND = "未知的打印方式“{backend}”（可选 file、cups、escpos）。PDF 已保存。"
W_PAPER_LOW = "热敏打印机纸将用尽，请及时更换纸卷"
W_A4_ON_ROLL = "这份 PDF 不是卷纸排版，热敏打印机上的字会很小"

# -- queue ticket (排队取号单, printing/ticket.py) ----------------------------
TICKET_TITLE = "排队取号单"
TICKET_NUMBER = "您的号码"
TICKET_LINE = "办理业务"
TICKET_AHEAD = "前面还有 {n} 人等候"
TICKET_AHEAD_NONE = "前面没有人等候，请留意叫号"
TICKET_AHEAD_UNKNOWN = "前面等候人数：网络恢复后扫码查看"
TICKET_WAIT = "预计等候约 {minutes} 分钟"
TICKET_WAIT_SHORT = "预计很快叫到您"
TICKET_WAIT_UNKNOWN = "预计等候时间：暂无估算"
TICKET_ISSUED = "取号时间"
TICKET_PRIORITY = "优先办理：{kind}"
TICKET_APPOINTMENT = "预约时段：{slot}"
TICKET_OFFLINE = "本号在网络中断时发放，号码有效，请留意叫号"
TICKET_QR = "扫码查看排队进度"
TICKET_HINTS = ("请留意叫号大屏和语音提示，叫到号时请到对应窗口办理。",
                "过号请到服务台咨询；本单仅当日有效。")
E_TICKET_PRINTER = "取号单打印机未就绪：{detail}"
