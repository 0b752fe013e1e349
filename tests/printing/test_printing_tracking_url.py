"""Where the receipt's QR points: the configured address, else the enrolled server,
else the local server in single-machine mode — never a domain the hall does not own."""

from __future__ import annotations

import pytest
from printing_samples import page_images
from sqlalchemy import select, update

from hall_app.services.documents import LOCAL_SERVER, tracking_base, tracking_notice
from hall_app.store.models import CaseRow, Device
from printing import render_pdf

zxingcpp = pytest.importorskip("zxingcpp")


def accepted_case(ctx) -> str:
    with ctx.read() as session:
        return session.scalars(select(CaseRow.case_id).where(CaseRow.status == "accepted")).first()


def enrol(ctx, url: str) -> None:
    with ctx.Session.begin() as session:
        session.execute(update(Device).where(Device.device_id == ctx.device_id).values(server_url=url))


def test_single_machine_default_is_the_local_server_and_the_qr_says_so(demo_ctx):
    base = tracking_base(demo_ctx)
    assert (base.url, base.source) == (LOCAL_SERVER, "local")
    data = demo_ctx.documents.build("receipt", accepted_case(demo_ctx))
    assert data.tracking_url == f"{LOCAL_SERVER}/t/{data.tracking_code}"
    assert "gov.cn" not in data.tracking_url
    image = page_images(render_pdf("receipt", data, "a4").pdf, 150)[0]
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [data.tracking_url]


def test_an_enrolled_device_points_at_its_server(demo_ctx):
    enrol(demo_ctx, "http://10.0.0.5:8700/")
    data = demo_ctx.documents.build("receipt", accepted_case(demo_ctx))
    assert data.tracking_url == f"http://10.0.0.5:8700/t/{data.tracking_code}"
    assert tracking_base(demo_ctx).source == "server"


def test_a_configured_address_wins(demo_ctx):
    demo_ctx.settings = demo_ctx.settings.replace(tracking_base_url="https://jj.example.org/")
    enrol(demo_ctx, "http://10.0.0.5:8700")
    data = demo_ctx.documents.build("receipt", accepted_case(demo_ctx))
    assert data.tracking_url == f"https://jj.example.org/t/{data.tracking_code}"
    assert tracking_notice(demo_ctx) is None  # the admin chose it: nothing to say


def test_the_notice_is_said_on_first_start_and_again_when_the_address_changes(demo_ctx):
    first = tracking_notice(demo_ctx)
    assert first and "单机模式" in first and LOCAL_SERVER in first and "tracking_base_url" in first
    assert tracking_notice(demo_ctx) is None  # said once
    enrol(demo_ctx, "http://10.0.0.5:8700")
    again = tracking_notice(demo_ctx)
    assert again and "http://10.0.0.5:8700" in again
    assert tracking_notice(demo_ctx) is None
    assert tracking_notice(demo_ctx, once=False) == again


def test_the_default_setting_names_no_outside_domain():
    from hall_app.config import Settings

    assert Settings().tracking_base_url == ""
