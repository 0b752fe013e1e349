"""Person-file extracts for an agent's principals (一人一档摘录, issue 13).

The person file is the government's; the server holds extracts of it, loaded from the
data platform (``hall-app server person-files FILE.json``, or ``--demo``: the demo
hall's people), each checked by the same schema the laptop applies
(domain/person_extract.py). A hall's devices read the person file through their own
connector (services/people.py); an agent's laptop, offline all day, carries extracts,
and only of its own principals:

``GET /v1/person-files`` answers an agent device with the extracts of the people named
by the agent's register entries the server holds (``register.authorisation_saved``
of this hall and agent, the newest version of each entry) that are not revoked and
not expired; ``missing`` lists the principals the server has no file for. Nobody
else's file leaves the server, and a principal whose authorisation ended drops out
of the answer (the laptop then deletes the extract it held).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import Engine, select

from hall_app.domain.calendar import CHINA
from hall_app.domain.person_extract import check_extract
from hall_app.server.auth import DeviceInfo, utc_now
from hall_app.server.models import feed, person_files
from hall_app.server.scopes import access
from hall_app.server.writes import insert_for

router = APIRouter()


def load(engine: Engine, records: list[Any]) -> tuple[int, list[str]]:
    """Store (or replace) extracts; returns (stored, problems). A bad record is named
    and skipped; the good ones are stored."""
    good, problems = [], []
    for n, record in enumerate(records, 1):
        extract, problem = check_extract(record)
        if extract is None:
            problems.append(f"第{n}条：{problem}")
            continue
        good.append({"id_number": extract.id_number, "record": extract.model_dump(mode="json"),
                     "updated_at": extract.updated_at, "loaded_at": utc_now()})
    if good:
        with engine.begin() as conn:
            stmt = insert_for(conn)(person_files)
            conn.execute(stmt.on_conflict_do_update(index_elements=["id_number"], set_={
                "record": stmt.excluded.record, "updated_at": stmt.excluded.updated_at,
                "loaded_at": stmt.excluded.loaded_at}), good)
    return len(good), problems


def load_file(engine: Engine, path: Path) -> tuple[int, list[str]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"无法读取档案文件 {path}：{exc}") from None
    if not isinstance(data, list):
        raise ValueError("档案文件应为 JSON 数组，每个元素一人")
    return load(engine, data)


def demo_records(today: str) -> list[dict[str, Any]]:
    """The demo hall's people (services/demo.py) as extracts."""
    from hall_app.services.demo import PEOPLE

    return [{"id_number": pid, "name": name, "sex": sex, "birth_date": birth, "phone": phone, "address": address,
             "local_hukou": local, "dishonest": dishonest, "updated_at": today,
             "elicences": [{"type": kind, "number": f"{pid[-6:]}{len(kind):02d}", "issued_by": "重庆市",
                            "issued_on": "2020-01-01", "data": {k: str(v) for k, v in data.items()}}
                           for kind, data in lics.items()]}
            for pid, name, sex, birth, phone, address, local, dishonest, lics in PEOPLE]


def principals_of(engine: Engine, device: DeviceInfo, today: str) -> list[str]:
    """The ID numbers named by this agent's valid register entries (newest version each)."""
    with engine.connect() as conn:
        rows = conn.execute(select(feed.c.case_id, feed.c.payload).where(
            feed.c.type == "register.authorisation_saved", feed.c.hall == device.hall,
            feed.c.agent == device.agent).order_by(feed.c.seq)).all()
    latest: dict[str, dict[str, Any]] = {}
    for auth_id, payload in rows:
        copy = payload.get("authorisation") if isinstance(payload, dict) else None
        if isinstance(copy, dict):
            latest[auth_id] = copy
    return sorted({str(c.get("principal_id", "")) for c in latest.values()
                   if c.get("principal_id") and not c.get("revoked_at") and str(c.get("valid_until", "")) >= today})


def extracts_for(engine: Engine, device: DeviceInfo) -> dict[str, Any]:
    today = dt.datetime.now(CHINA).date().isoformat()
    wanted = principals_of(engine, device, today)
    with engine.connect() as conn:
        rows = conn.execute(select(person_files.c.id_number, person_files.c.record).where(
            person_files.c.id_number.in_(wanted))).all() if wanted else []
    found = {r.id_number: r.record for r in rows}
    return {"as_of": utc_now(), "extracts": [found[i] for i in wanted if i in found],
            "missing": [i for i in wanted if i not in found]}


@router.get("/v1/person-files")
async def for_agent(request: Request, device: DeviceInfo = access("person_files")) -> dict[str, Any]:
    """The person-file extracts of this agent's principals (valid authorisations only)."""
    import anyio.to_thread

    return await anyio.to_thread.run_sync(extracts_for, request.app.state.engine, device)
