"""CPU time per key of a step's own work, headless (Pilot): material ticks, decision moves
and F7/F8 step changes on the 新生儿出生 demo case, in the process's CPU time (UI thread
and database thread), each key sent and then the app left alone (no polling) to finish.

    .venv/bin/python bench/bench_step_cpu.py ROOT WORKDIR

ROOT: the checkout whose app runs (run a baseline and this branch alternately);
WORKDIR: where the seeded demo database is kept. CPU time moves far less with the
machine's load than the key-to-frame times of bench_keypress.py.
"""
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(sys.argv[1])
sys.path.insert(0, str(ROOT))
from hall_app.services.demo import LIU_YANG
from tests.ui import helpers as H


async def quiet_keys(pilot, keys, wait=0.3) -> float:
    """CPU ms per key: each key sent, then the app left alone (no polling) to finish."""
    await H.settle(pilot)
    await asyncio.sleep(0.5)
    t = time.process_time()
    for key in keys:
        pilot.app._driver.send_message(H.key_event(pilot.app, key))
        await asyncio.sleep(wait)
    cpu = (time.process_time() - t) / len(keys) * 1000
    await H.settle(pilot)
    return cpu


async def main() -> None:
    from screens.app import HallApp

    work = Path(sys.argv[2])
    work.mkdir(parents=True, exist_ok=True)
    db = work / "demo.db"
    if not db.exists():
        H.seed_template(db)
    (work / "run").mkdir(exist_ok=True)
    ctx = H.open_ctx(H.copy_db(db, work / "run"), work / "docs")
    app = HallApp(ctx, cursor_blink=False)
    out = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await H.login(pilot)
        await H.start_newborn(pilot)
        await H.press(pilot, "enter")
        await H.applicant(pilot, LIU_YANG)
        await H.answer(pilot, H.NEWBORN_ALL_YES)
        table = app.screen.pane.query_one("#materials")
        while "电子证照" in str(table.get_row_at(table.cursor_row)[3]):
            await H.press(pilot, "down")
        out["materials tick"] = await quiet_keys(pilot, ["space"] * 30)
        await H.press(pilot, "a", "enter")
        await H.fill_newborn_form(pilot)
        await H.press(pilot, "enter")
        out["decision move"] = await quiet_keys(pilot, ["down" if n % 6 < 3 else "up" for n in range(30)])
        out["F7/F8 step change"] = await quiet_keys(pilot, ["f7", "f7", "f8", "f8"] * 6, wait=0.6)
        await asyncio.sleep(0.5)
        t = time.process_time()
        await asyncio.sleep(3.0)
        out["idle (per 0.3 s)"] = (time.process_time() - t) / 10 * 1000
    ctx.close()
    print(ROOT, {k: round(v, 1) for k, v in out.items()})


asyncio.run(main())
