"""Appointments from a CSV file, as an online booking system would export them.

Columns (a header row; Chinese or English names): 日期/day, 时段/slot, 业务/line,
姓名/name, 身份证号/id_number, 电话/phone, 预约编号/external_id. A UTF-8 BOM is fine.
All or nothing: if any row is wrong, nothing is imported and every problem is listed
with its row number. A row whose 预约编号 was imported before is skipped, so importing
the same file twice books nobody twice.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from hall_app.domain.queue import QueueError
from hall_app.domain.queue_views import ImportResult
from hall_app.server.queue_days import book
from hall_app.server.queue_models import queue_appointments
from hall_app.server.queue_store import Actor, QueueStore

COLUMNS = {
    "日期": "day", "day": "day", "date": "day",
    "时段": "slot", "时间": "slot", "slot": "slot", "time": "slot",
    "业务": "line", "业务类别": "line", "line": "line",
    "姓名": "name", "name": "name",
    "身份证号": "id_number", "身份证号码": "id_number", "id_number": "id_number",
    "电话": "phone", "联系电话": "phone", "phone": "phone",
    "预约编号": "external_id", "external_id": "external_id", "id": "external_id",
}
REQUIRED = ("day", "slot", "line")
MAX_ROWS = 5000


class _Rollback(Exception):
    pass


def import_csv(store: QueueStore, actor: Actor, text: str) -> ImportResult:
    actor.may_manage()
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        return ImportResult(0, 0, ["文件含有空字符（NUL），不是有效的 CSV 文本"])
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return ImportResult(0, 0, ["文件是空的"])
    header = [COLUMNS.get(h.strip().lower(), COLUMNS.get(h.strip(), "")) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        names = {"day": "日期", "slot": "时段", "line": "业务"}
        return ImportResult(0, 0, [f"表头缺少列：{'、'.join(names[c] for c in missing)}（第 1 行）"])
    if len(rows) - 1 > MAX_ROWS:
        return ImportResult(0, 0, [f"一次最多导入 {MAX_ROWS} 行"])
    problems: list[str] = []
    imported = skipped = 0
    try:
        with store.engine.begin() as conn:
            for number, raw in enumerate(rows[1:], 2):
                if not any(cell.strip() for cell in raw):
                    continue
                record = {key: raw[i].strip() for i, key in enumerate(header) if key and i < len(raw)}
                external = record.get("external_id", "")[:64]
                if external and conn.execute(select(queue_appointments.c.appointment).where(
                        queue_appointments.c.hall == actor.hall,
                        queue_appointments.c.external_id == external)).first() is not None:
                    skipped += 1
                    continue
                try:
                    book(store, actor, record.get("line", ""), record.get("day", ""), record.get("slot", ""),
                         name=record.get("name", ""), id_number=record.get("id_number", ""),
                         phone=record.get("phone", ""), source="csv", external_id=external, conn=conn)
                    imported += 1
                except QueueError as exc:
                    problems.append(f"第 {number} 行：{exc}")
            if problems:
                raise _Rollback
    except _Rollback:
        return ImportResult(0, 0, problems)
    return ImportResult(imported, skipped, [])
