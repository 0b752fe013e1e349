"""A deterministic demo hall: windows, users, people and firms with e-licences, and
cases in every state. Same data (and the same tracking codes) on every machine."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hall_app.domain.ids import id_check_char, uscc_check_char
from hall_app.domain.tracking import new_tracking_code
from hall_app.store.models import Elicence, Firm, Hall, Person, User, Window

if TYPE_CHECKING:
    from hall_app.services.context import HallContext

HALL = ("JJ01", "重庆市江津区政务服务中心", "重庆市江津区几江街道鼎山大道399号", "023-12345")
WINDOWS = [(f"W{n:02d}", f"{n}号综合窗口") for n in range(1, 7)]
# username, password, display name, role, window
DEMO_USERS = [
    ("zhangli", "demo123", "张丽", "clerk", "W03"),
    ("wangqiang", "demo123", "王强", "agent", "W03"),
    ("chenjing", "demo123", "陈静", "supervisor", "W01"),
    ("admin", "admin123", "管理员", "admin", "W01"),
    # the other windows' clerks of the demo morning's queue (queue_demo_day.CLERKS): named, so the
    # live hall shows every window's clerk by name
    ("wangfang", "demo123", "王芳", "clerk", "W01"),
    ("liuwei", "demo123", "刘伟", "clerk", "W02"),
    ("zhaomin", "demo123", "赵敏", "clerk", "W04"),
    ("sunjie", "demo123", "孙杰", "clerk", "W05"),
    ("zhoulan", "demo123", "周兰", "clerk", "W06"),
]
DEMO_LOGIN = ("zhangli", "demo123")
DEMO_SUPERVISOR_LOGIN = ("chenjing", "demo123")  # hall-app dashboard: only a supervisor may open it
DEMO_TOWNSHIPS = {"wangqiang": "白沙镇"}  # the agent serves 白沙镇 (issue 13)


def citizen_id(area: str, birth: str, seq: str) -> str:
    body = area + birth + seq
    return body + id_check_char(body)


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


LIU_YANG = citizen_id("500116", "19900315", "231")
CHEN_MIN = citizen_id("500116", "19920708", "122")
ZHAO_JIANGUO = citizen_id("500116", "19480902", "415")
LI_NA = citizen_id("500103", "19950611", "286")
SUN_HAO = citizen_id("500106", "19851120", "339")
WANG_JI = citizen_id("500116", "19980214", "128")
ZHOU_GUIYING = citizen_id("500116", "19420611", "366")  # 白沙镇, elderly: the agent's principals
HE_DEGUI = citizen_id("500116", "19500304", "471")
LUO_XIULAN = citizen_id("500116", "19460823", "104")
HOTPOT_FIRM = uscc("91500116MA5U7K3Q0")

# id, name, sex, birth, phone, address, local, dishonest, e-licences {type: data}
PEOPLE: list[tuple[str, str, str, str, str, str, bool, bool, dict[str, dict]]] = [
    (LIU_YANG, "刘洋", "男", "1990-03-15", "13908312345", "重庆市江津区几江街道艾坪山路18号3单元5-2", True, False,
     {"居民身份证": {}, "居民户口簿": {}, "社会保障卡": {},
      "结婚证": {"spouse_name": "陈敏", "spouse_id_number": CHEN_MIN}}),
    (CHEN_MIN, "陈敏", "女", "1992-07-08", "13983154321", "重庆市江津区几江街道艾坪山路18号3单元5-2", True, False,
     {"居民身份证": {}, "居民户口簿": {}, "结婚证": {"spouse_name": "刘洋", "spouse_id_number": LIU_YANG},
      "分娩记录": {"hospital": "江津区妇幼保健院", "birth_date": "2026-11-15", "baby_sex": "男"}}),
    (ZHAO_JIANGUO, "赵建国", "男", "1948-09-02", "13594567890", "重庆市江津区白沙镇宝珠村7组26号", True, False,
     {"居民身份证": {}, "残疾人证": {}}),
    (LI_NA, "李娜", "女", "1995-06-11", "15823456789", "重庆市渝中区解放碑街道民族路88号", True, False, {}),
    (SUN_HAO, "孙浩", "男", "1985-11-20", "18716543210", "重庆市沙坪坝区小龙坎正街120号", True, True,
     {"居民身份证": {}}),
    (WANG_JI, "王𠮷", "女", "1998-02-14", "17723456781", "重庆市江津区德感街道长江路66号", False, False,
     {"居民身份证": {}}),
    (ZHOU_GUIYING, "周桂英", "女", "1942-06-11", "13527781234", "重庆市江津区白沙镇石坝村3组8号", True, False,
     {"居民身份证": {}, "居民户口簿": {}}),
    (HE_DEGUI, "何德贵", "男", "1950-03-04", "13658891234", "重庆市江津区白沙镇东海村5组12号", True, False,
     {"居民身份证": {}, "残疾人证": {}}),
    (LUO_XIULAN, "罗秀兰", "女", "1946-08-23", "15923451234", "重庆市江津区白沙镇驴溪半岛社区9号", True, False,
     {"居民身份证": {}}),
]
FIRMS: list[tuple[str, str, str, str, str, dict[str, dict]]] = [
    (HOTPOT_FIRM, "重庆江津渝味火锅餐饮有限公司", "刘洋", "重庆市江津区几江街道小西门路12号", "02347561234",
     {"营业执照": {}}),
]


@dataclass(frozen=True)
class DemoCase:
    label: str
    tracking_code: str
    status: str


class DemoSeeder:
    def __init__(self, ctx: "HallContext"):
        self.ctx = ctx
        self.rng = random.Random(20261121)

    def exists(self) -> bool:
        with self.ctx.read() as session:
            return session.get(Hall, HALL[0]) is not None

    def seed(self) -> list[DemoCase]:
        if self.exists():
            return self.cases()
        self._reference_data()
        return self._cases()

    def cases(self) -> list[DemoCase]:
        from hall_app.store.models import CaseRow

        with self.ctx.read() as session:
            rows = session.scalars(select(CaseRow).where(CaseRow.hall == HALL[0]).order_by(CaseRow.created_at))
            return [DemoCase(r.applicant_name or r.bundle_name, r.tracking_code, r.status) for r in rows]

    def _reference_data(self) -> None:
        from hall_app.services.users import hash_password

        with self.ctx.Session.begin() as session:
            session.add(Hall(code=HALL[0], name=HALL[1], address=HALL[2], phone=HALL[3]))
            session.flush()
            for code, name in WINDOWS:
                session.add(Window(code=code, hall=HALL[0], name=name))
            for username, password, display, role, window in DEMO_USERS:
                session.add(User(username=username, display_name=display, role=role,
                                 password_hash=hash_password(password), hall=HALL[0], window=window,
                                 township=DEMO_TOWNSHIPS.get(username, "")))
        self._files()

    def _files(self) -> None:
        """The person and firm files with their e-licences."""
        with self.ctx.Session.begin() as session:
            for pid, name, sex, birth, phone, address, local, dishonest, lics in PEOPLE:
                session.add(Person(id_number=pid, name=name, sex=sex, birth_date=birth, phone=phone,
                                   address=address, local_hukou=local, dishonest=dishonest))
                self._licences(session, pid, lics)
            for code, name, rep, address, phone, lics in FIRMS:
                session.add(Firm(uscc=code, name=name, legal_rep=rep, address=address, phone=phone))
                self._licences(session, code, lics)

    def _licences(self, session, holder: str, licences: dict) -> None:
        for kind, data in licences.items():
            session.add(Elicence(holder=holder, type=kind, number=f"{holder[-6:]}{len(kind):02d}",
                                 issued_by="重庆市", issued_on="2020-01-01", data=data))

    def _code(self) -> str:
        return new_tracking_code(self.rng.choice)

    def _newborn(self, actor: str, applicant: str, answers: dict[str, str], marks: dict[str, str],
                 fields: dict[str, str], window: str | None = None) -> str:
        cases = self.ctx.cases
        state = cases.start("newborn", actor, tracking_code=self._code(), window=window)
        cid = state.case_id
        cases.set_applicant_id(cid, actor, applicant)
        for q, v in answers.items():
            cases.answer(cid, actor, q, v)
        for m, s in marks.items():
            cases.mark_material(cid, actor, m, s)
        for k, v in fields.items():
            cases.set_field(cid, actor, k, v)
        return cid

    def _cases(self) -> list[DemoCase]:
        cases, clerk = self.ctx.cases, "zhangli"
        full = {"born_locally": "是", "both_local": "是", "follow": "随父", "parents_married": "是",
                "mother_employee_insured": "是", "want_medical_insurance": "是", "pay_now": "是",
                "want_ss_card": "是"}
        form = {"baby_name": "刘思远", "baby_sex": "男", "baby_birth_date": "2026-11-15",
                "birth_place": "江津区妇幼保健院", "delivery": "邮政寄递", "insurance_grade": "一档"}
        all_in = {"birth_medical_info": "handed_in", "maternity_bill": "handed_in", "baby_photo": "handed_in",
                  "bank_card": "handed_in"}

        # a draft in progress (at the materials step)
        cid = self._newborn(clerk, CHEN_MIN, {"born_locally": "是", "both_local": "是"}, {}, {})
        cases.set_step(cid, clerk, "questions")
        # accepted → dispatched → completed → handed over → rated
        for target in ("accepted", "dispatched", "completed", "handed_over", "rated"):
            cid = self._newborn(clerk, LIU_YANG, full, all_in, form)
            cases.accept(cid, clerk)
            if target == "accepted":
                continue
            cases.dispatch(cid, clerk)
            if target == "dispatched":
                state = cases.get(cid)
                cases.record_item_result(cid, "dept-system", next(iter(state.items)), "received")
                continue
            for item in cases.get(cid).items:
                cases.record_item_result(cid, "dept-system", item, "completed", document=f"DOC-{item}")
            if target == "completed":
                continue
            cases.hand_over(cid, clerk, "mail", "EMS 1180000000000")
            if target == "rated":
                cases.rate(cid, clerk, 5, "一次办好，很方便")
        # notice issued: nothing handed in, no e-licences (李娜)
        cid = self._newborn(clerk, LI_NA, {**full, "parents_married": "否"}, {}, form)
        cases.issue_notice(cid, clerk)
        # accepted with deferred materials (photo and bill to follow)
        cid = self._newborn(clerk, LIU_YANG, full, {"birth_medical_info": "handed_in", "bank_card": "handed_in"}, form)
        cases.defer(cid, clerk)
        # refused
        cid = self._newborn(clerk, SUN_HAO, full, {}, {})
        cases.refuse(cid, clerk, "新生儿系外省出生且父母均非本市户籍，不属于本中心受理范围",
                     "《重庆市户口登记管理规定》")
        # voided
        cid = self._newborn(clerk, LI_NA, {}, {}, {})
        cases.void(cid, clerk, "申请人重复取号，已合并办理")
        # a proxy case: an agent files for an elderly person
        cid = self._newborn("wangqiang", ZHAO_JIANGUO, {"born_locally": "是"}, {}, {})
        cases.set_proxy(cid, "wangqiang", "赵小红", citizen_id("500116", "19750301", "262"), "子女")
        self._history(full, all_in, form)
        from hall_app.services.demo_enquiries import seed_demo_enquiries

        seed_demo_enquiries(self.ctx)  # 咨询 / 首问负责 / 办不成事 for the dashboard and the report
        main_rng, self.rng = self.rng, random.Random(20261201)  # the codes above stay as they were
        try:
            self._deferrals(full, form)  # issue 12: an e-licence now on file; an overdue one already reminded
        finally:
            self.rng = main_rng
        return self.cases()

    def _deferrals(self, full: dict[str, str], form: dict[str, str]) -> None:
        """陈敏's two deferrals (docs/dispatch.md): one whose 生育医疗费用票据 reached her file
        as an e-licence after the acceptance (``s`` then ``e``: 电子证照已调取), and one from
        four weeks ago, reminded the day before its deadline and now overdue: the 承诺书's
        consequence (终止办理) is the clerk's next step."""
        import datetime as dt

        cases, clerk, ctx = self.ctx.cases, "zhangli", self.ctx
        full = {**full, "want_medical_insurance": "否"}  # five items: the receipt stays on one A4 page
        form = {k: v for k, v in form.items() if k != "insurance_grade"}
        marks: dict[str, str] = {}  # her 分娩记录 e-licence stands for the medical record
        today_clock, now = ctx.clock, ctx.clock()
        try:
            start = now - dt.timedelta(days=28)  # ten working days pass even over 春节
            ctx.clock = _fixed(start)
            born = {**form, "baby_birth_date": (start - dt.timedelta(days=6)).date().isoformat()}
            cid = self._newborn(clerk, CHEN_MIN, full, marks | {"maternity_bill": "handed_in"}, born)
            deadline = dt.date.fromisoformat(cases.defer(cid, clerk).deferred_deadline)
            ctx.clock = _fixed(dt.datetime.combine(deadline - dt.timedelta(days=1), now.timetz()))
            ctx.dispatch.remind(cid, clerk, "phone", "已电话提醒补交新生儿照片")
        finally:
            ctx.clock = today_clock
        cases.defer(self._newborn(clerk, CHEN_MIN, full, marks, form), clerk)
        with ctx.Session.begin() as session:  # the hospital's e-bill arrives afterwards, as a connector brings it
            session.add(Elicence(holder=CHEN_MIN, type="医疗收费电子票据", number="E2026111900001",
                                 issued_by="重庆市财政局", issued_on="2026-11-19", data={}))
        ctx.people._cache.clear()

    # -- supervise (issue 11): earlier weeks, so the supervisor's screens show ratings,
    # follow-ups at every step and an overdue deadline on the embedded default ----------------
    HISTORY = (  # days before today, window, rating level (None: still at the departments), follow-up steps
        (34, "W01", 5, ()),
        (33, "W02", 4, ()),
        (32, "W02", 1, ()),  # a bad rating nobody has looked at: overdue
        (30, "W05", 2, ("verified",)),
        (29, "W01", 2, ("verified", "rectified", "revisited", "closed")),
        (6, "W05", 1, ("verified", "explained")),
        (25, "W02", None, ()),  # dispatched weeks ago and not done: overdue on the deadline board
    )
    NOTES = {"verified": "调取窗口录像并询问当事人，情况属实", "rectified": "已对窗口人员批评教育并组织业务培训",
             "explained": "已向群众解释办理时限的法定依据", "revisited": "电话回访，群众表示认可",
             "closed": "整改完毕，已向群众反馈结果"}

    def _history(self, full: dict[str, str], all_in: dict[str, str], form: dict[str, str]) -> None:
        import datetime as dt

        cases, clerk, ctx = self.ctx.cases, "zhangli", self.ctx
        today_clock, now = ctx.clock, ctx.clock()
        try:
            for days, window, level, steps in self.HISTORY:
                start = now - dt.timedelta(days=days)
                ctx.clock = _fixed(start)
                born = {**form, "baby_birth_date": (start - dt.timedelta(days=10)).date().isoformat()}
                cid = self._newborn(clerk, LIU_YANG, full, all_in, born, window=window)
                cases.accept(cid, clerk)
                cases.dispatch(cid, clerk)
                if level is None:
                    continue
                ctx.clock = _fixed(start + dt.timedelta(days=2))
                for item in cases.get(cid).items:
                    cases.record_item_result(cid, "dept-system", item, "completed", document=f"DOC-{item}")
                cases.hand_over(cid, clerk, "window")
                cases.rate(cid, clerk, level, "" if level > 2 else "等候时间太长，窗口解释不清",
                           reasons=["等候时间长"] if level <= 2 else [])
                for n, step in enumerate(steps, start=1):
                    ctx.clock = _fixed(start + dt.timedelta(days=2 + n))
                    self.ctx.ratings.advance(cid, "chenjing", step, self.NOTES[step])
        finally:
            ctx.clock = today_clock


def _fixed(moment):
    """A clock stopped at ``moment`` (the demo's earlier weeks are written as if then)."""
    return lambda: moment
