"""Keys pressed from "new intake" to the printed receipt for 新生儿出生, demo person 刘洋
(e-licences on file: 居民身份证, 居民户口簿, 结婚证 …), keyboard only.

    .venv/bin/python bench/bench_keys.py

Drives the real app headless (100x32) along the shortest path a clerk would take and
counts every key event, phase by phase. A Chinese character counts as one key (what
the terminal delivers once the input method has committed it).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hall_app.services.demo import CHEN_MIN, LIU_YANG
from tests.ui.helpers import (
    NEWBORN_ALL_YES,
    answer,
    applicant,
    current_case,
    fill_newborn_form,
    login,
    open_ctx,
    press,
    seed_template,
    settle,
    type_text,
)


async def mother_form(pilot, counter) -> None:
    """陈敏's delivery record (分娩记录) prefills the birth date, sex and hospital."""
    await type_text(pilot, "刘思远", counter=counter)
    await press(pilot, "enter", counter=counter)
    await press(pilot, "1", counter=counter)  # delivery: 窗口领取
    await press(pilot, "1", counter=counter)  # grade: 一档 (the last required field)
    await press(pilot, "enter", counter=counter)  # the optional 代扣银行卡号 left empty: on to the review


async def run(ctx, words: str | None, person: str = LIU_YANG) -> list[tuple[str, int]]:
    from screens.app import HallApp

    app = HallApp(ctx, cursor_blink=False)
    phases: list[tuple[str, int]] = []
    async with app.run_test(size=(100, 32)) as pilot:
        await login(pilot)

        async def phase(label: str, coro_factory) -> None:
            counter = [0]
            await coro_factory(counter)
            phases.append((label, counter[0]))

        async def need(c):
            await press(pilot, "f2", counter=c)
            if words:
                await type_text(pilot, words, counter=c)
            await press(pilot, "enter", counter=c)

        await phase("new intake + need → bundle" + (f"（输入“{words}”）" if words else "（本窗口常办第一项）"), need)
        await phase("flow chart → on", lambda c: press(pilot, "enter", counter=c))
        await phase("applicant: ID number (18) + Enter; the file fills the rest", lambda c: applicant(pilot, person, c))
        if person == LIU_YANG:
            await phase("situation answers (结婚证 on file answers 1) + Enter",
                        lambda c: answer(pilot, NEWBORN_ALL_YES[:-1], c))
        else:
            await phase("situation answers (分娩记录 and 结婚证 answer 2) + Enter",
                        lambda c: answer(pilot, NEWBORN_ALL_YES[:-2], c))
        await phase("materials: a (all handed in) + Enter", lambda c: press(pilot, "a", "enter", counter=c))
        if person == LIU_YANG:
            await phase("form: baby's name, sex, birth date, hospital, delivery, grade, Enter past 代扣银行卡号",
                        lambda c: fill_newborn_form(pilot, c))
        else:
            await phase("form: baby's name, delivery, grade, Enter past 代扣银行卡号 (the rest from the files)",
                        lambda c: mother_form(pilot, c))
        await phase("review → decision", lambda c: press(pilot, "enter", counter=c))
        await phase("accept → receipt printed", lambda c: press(pilot, "enter", counter=c))
        await settle(pilot)
        state = current_case(app)
        assert state.status == "accepted", state.status
        printed = [d for d in state.documents if d["kind"] == "receipt" and not d["error"]]
        assert printed, state.documents
    return phases


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hall-keys-"))
    db = seed_template(work / "demo.db")
    runs = [(person, label, words) for person, label in ((LIU_YANG, "刘洋 (father)"),
                                                          (CHEN_MIN, "陈敏 (mother, 分娩记录 on file)"))
            for words in ("生孩子", None)]
    for person, label, words in runs:
        ctx = open_ctx(db, work / "documents")
        phases = asyncio.run(run(ctx, words, person))
        ctx.close()
        total = sum(n for _, n in phases)
        print(f"\n新生儿出生, {label}: {total} keys")
        for name, n in phases:
            print(f"  {n:>3}  {name}")
    print("\nfor the father, data no file holds: ID 18 + baby's name 3 + birth date 8 + hospital 8 = 37;"
          " for the mother the delivery record holds the birth date, sex and hospital")
    return 0


if __name__ == "__main__":
    sys.exit(main())
