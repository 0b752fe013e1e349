"""The citizen's tracking page, ``GET /t/{code}`` (the URL in the receipt's QR code).

No login: so it shows only what a stranger holding the receipt may see. The bundle,
each item's status and dates, the expected completion, and the applicant's name
masked (张*丰). Never the ID number, phone or address. A code that is malformed or
unknown gets the same plain not-found page. Requests are rate-limited per client.
"""

from __future__ import annotations

import html
import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine

from hall_app.domain.case import ITEM_STATUS_LABELS, STATUS_LABELS
from hall_app.domain.tracking import format_tracking_code, parse_tracking_code
from hall_app.server.catalog import bundle_names
from hall_app.server.results import case_state, find_case


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜; firm names keep their ends."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    if len(name) > 6:  # a firm: 重庆江津渝味火锅餐饮有限公司 → 重庆****公司
        return name[:2] + "*" * 4 + name[-2:]
    return name[0] + "*" * (len(name) - 2) + name[-1]


_NUMBERS = re.compile(r"\d{7,}[\dXx]?")


def scrub(text: str, state) -> str:
    """A department's note with anything personal taken out (numbers, the applicant's details)."""
    secrets = [v for k, v in state.applicant.items() if k in ("id_number", "phone", "address", "uscc") and v]
    if state.proxy:
        secrets += [v for k, v in state.proxy.items() if k == "id_number" and v]
    for value in secrets:
        text = text.replace(str(value), "***")
    return _NUMBERS.sub("***", text)


class RateLimiter:
    """A token bucket per client address: ``burst`` requests, refilled at ``per_minute``."""

    def __init__(self, per_minute: float = 30, burst: int = 10, clock=time.monotonic):
        self.rate, self.burst, self.clock = per_minute / 60.0, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > 10000:  # forget the idle ones
                cutoff = now - self.burst / max(self.rate, 1e-9)
                self._buckets = {k: v for k, v in self._buckets.items() if v[1] >= cutoff}
            return allowed


@dataclass(frozen=True)
class Page:
    status: int
    body: str


STYLE = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f6f8;color:#222}
main{max-width:30rem;margin:0 auto;padding:1rem}h1{font-size:1.2rem;margin:.2rem 0 1rem}
.card{background:#fff;border-radius:.5rem;padding:.8rem 1rem;margin:.6rem 0;box-shadow:0 1px 2px #0001}
.k{color:#666;font-size:.85rem}.s{font-weight:600}.done{color:#1a7f37}.bad{color:#b42318}
footer{color:#888;font-size:.75rem;margin-top:1.5rem}"""


def _page(title: str, body: str, status: int = 200) -> Page:
    return Page(status, f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>{html.escape(title)}</title><style>{STYLE}</style></head><body><main>{body}
<footer>政务服务中心 · 办件进度查询</footer></main></body></html>""")


def not_found() -> Page:
    return _page("未找到办件", "<h1>未找到办件</h1><div class='card'>没有查到这个跟踪码对应的办件。"
                 "请核对回执上的跟踪码，或咨询政务服务中心窗口。</div>", 404)


def too_many() -> Page:
    return _page("请稍后再试", "<h1>请稍后再试</h1><div class='card'>查询过于频繁，请一分钟后再试。</div>", 429)


def tracking_page(engine: Engine, raw_code: str) -> Page:
    code = parse_tracking_code(raw_code)
    if code is None:
        return not_found()
    with engine.connect() as conn:
        case = find_case(conn, tracking_code=code)
        state = case_state(conn, case["case_id"]) if case else None
    if case is None or state is None:
        return not_found()
    name, item_names = bundle_names(engine, state.bundle_code, state.bundle_hash)
    return render_case(state, name, item_names)


def render_case(state, name: str, item_names: dict[str, str]) -> Page:
    """The page for one case: only what a stranger holding the receipt may see."""
    code = state.tracking_code
    e = html.escape
    rows = []
    for item_code, item in state.items.items():
        status = item.get("status", "pending")
        css = "done" if status == "completed" else "bad" if status == "rejected" else ""
        dates = f"承诺办结：{e(item.get('due', ''))}" if item.get("due") else ""
        if item.get("at"):
            dates += f"　更新：{e(str(item['at'])[:10])}"
        note = f"<div class='k'>{e(scrub(item.get('note', ''), state))}</div>" if status == "rejected" and item.get("note") else ""
        rows.append(f"<div class='card'><div>{e(item_names.get(item_code, item_code))}</div>"
                    f"<div class='s {css}'>{e(ITEM_STATUS_LABELS.get(status, status))}</div>"
                    f"<div class='k'>{dates}</div>{note}</div>")
    expected = max((i.get("due", "") for i in state.items.values()), default="")
    applicant = state.applicant.get("firm_name") or state.applicant.get("name", "")
    summary = (f"<div class='card'><div class='k'>跟踪码</div><div>{e(format_tracking_code(code))}</div>"
               f"<div class='k'>申请人</div><div>{e(mask_name(applicant))}</div>"
               f"<div class='k'>办理状态</div><div class='s'>{e(STATUS_LABELS.get(state.status, state.status))}</div>"
               f"<div class='k'>受理日期</div><div>{e(state.decided_at[:10] or state.created_at[:10])}</div>"
               + (f"<div class='k'>预计办结</div><div>{e(expected)}</div>" if expected else "") + "</div>")
    body = f"<h1>{e(name)}</h1>{summary}" + ("".join(rows) if rows else
                                             "<div class='card'>尚未受理，暂无事项进度。</div>")
    return _page(f"{name} · 办件进度", body)
