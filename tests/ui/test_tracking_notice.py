"""The app says where the receipts' QR codes point, once, on first start."""

from __future__ import annotations

from screens.app import HallApp
from tests.ui.helpers import copy_db, open_ctx, settle


async def _notices(db, tmp_path) -> list[str]:
    ctx = open_ctx(db, tmp_path / "documents", tracking_base_url="")  # not configured
    app = HallApp(ctx, cursor_blink=False)
    try:
        async with app.run_test(size=(100, 32)) as pilot:
            for _ in range(20):
                await settle(pilot)
                if any("二维码" in n.message for n in app._notifications):
                    break
            return [n.message for n in app._notifications]
    finally:
        ctx.close()


async def test_first_start_says_where_the_qr_points_and_only_once(demo_template, tmp_path):
    db = copy_db(demo_template, tmp_path)
    first = await _notices(db, tmp_path)
    assert any("单机模式" in m and "http://127.0.0.1:8700/t/" in m and "tracking_base_url" in m for m in first), first
    again = await _notices(db, tmp_path)
    assert not any("二维码" in m for m in again), again
