"""The queue ticket (排队取号单) on 58 and 80 mm rolls: what it says, a QR that scans,
nothing past the printable width, and a kiosk that asks the printer before taking a number."""

from __future__ import annotations

import socket

import pytest

from hall_app.domain.ticket_slip import TicketSlip
from printing import PrinterConfig
from printing.ticket import print_ticket, printer_ready, render_ticket

escpos_printer = pytest.importorskip("escpos.printer")
zxingcpp = pytest.importorskip("zxingcpp")
pdfium = pytest.importorskip("pypdfium2")

URL = "http://192.168.1.10:8700/q/01JD4Z8X7Q"
GS_V0 = b"\x1dv0"
SLIP = TicketSlip("重庆市江津区政务服务中心", "A012", "综合窗口·个人", 7, 18, "2026-12-01T09:31:00+08:00", URL,
                  priority="老年人")


def text_of(pdf: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).replace(" ", "")


def image_of(pdf: bytes, dots: int):
    from printing.raster import pdf_to_images

    images, _ = pdf_to_images(pdf, dots)
    return images


@pytest.mark.parametrize(("paper", "dots"), [("80mm", 576), ("58mm", 384)])
def test_ticket_says_number_line_ahead_wait_and_time(paper, dots):
    result = render_ticket(SLIP, paper)
    text = text_of(result.pdf)
    for words in ("排队取号单", "A012", "综合窗口·个人", "优先办理：老年人", "前面还有7人等候", "预计等候约18分钟",
                  "2026年12月1日09:31", "扫码查看排队进度"):
        assert words in text, words
    assert result.warnings == [] and result.pages == 1
    [image] = image_of(result.pdf, dots)
    assert [b.text for b in zxingcpp.read_barcodes(image.convert("L"))] == [URL]


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_nothing_is_drawn_in_the_margins(paper):
    """Long line names and a long address wrap inside the printable width (the paper's own
    margins stay white on the page as the printer rasterises it)."""
    slip = TicketSlip("重庆市江津区政务服务中心（第二办公区·东楼一层大厅）", "K1003",
                      "不动产登记及抵押、查封、预告登记" * 2, 120, 245, "2026-12-01T09:31:00+08:00",
                      URL + "/" + "x" * 60)
    pdf = render_ticket(slip, paper).pdf
    page = pdfium.PdfDocument(pdf)[0]
    gray = page.render(scale=203 / 72, grayscale=True).to_pil().convert("L")
    from printing.papers import get_paper

    margin = int(get_paper(paper).margin_x * 203 / 72) - 1
    left = gray.crop((0, 0, margin, gray.height))
    right = gray.crop((gray.width - margin, 0, gray.width, gray.height))
    assert left.getextrema()[0] > 200 and right.getextrema()[0] > 200
    assert "不动产登记及抵押" in text_of(pdf)


def test_no_one_ahead_no_estimate_offline_and_appointment():
    slip = TicketSlip("江津区政务服务中心", "B001", "综合窗口·企业", 0, None, "2026-12-01T09:00:00+08:00", URL,
                      appointment="10:00-10:30", offline=True)
    text = text_of(render_ticket(slip, "58mm").pdf)
    assert "前面没有人等候" in text and "暂无估算" in text and "预约时段：10:00-10:30" in text
    assert "网络中断时发放" in text


def test_offline_ticket_says_people_ahead_are_not_known():
    slip = TicketSlip("江津区政务服务中心", "A950", "综合窗口·个人", None, None, "2026-12-01T09:00:00+08:00", URL,
                      offline=True)
    text = text_of(render_ticket(slip, "80mm").pdf)
    assert "网络恢复后扫码查看" in text and "前面没有人" not in text


def test_a_character_no_font_has_is_a_warning_not_a_crash():
    slip = TicketSlip("江津区政务服务中心", "E001", "办不成事反映𠮷", 1, 5, "2026-12-01T09:00:00+08:00", "")
    result = render_ticket(slip, "80mm")
    assert any("U+20BB7" in w for w in result.warnings)
    assert any("查询网址" in w for w in result.warnings)  # no URL: no QR, said so


def test_a_ticket_is_only_for_rolls():
    with pytest.raises(ValueError):
        render_ticket(SLIP, "a4")


def test_print_keeps_the_pdf_and_sends_a_raster_to_the_thermal_printer(tmp_path):
    dummy = escpos_printer.Dummy()
    result = print_ticket(SLIP, "58mm", config=PrinterConfig(backend="escpos", escpos_width="58mm",
                                                             pdf_dir=tmp_path), printer=dummy)
    assert result.ok, result.error
    assert result.pdf_path.name.startswith("ticket-A012-") and result.pdf_path.exists()
    assert GS_V0 in dummy.output
    [image] = image_of(result.pdf_path.read_bytes(), 384)
    assert [b.text for b in zxingcpp.read_barcodes(image.convert("L"))] == [URL]


class _Paper(escpos_printer.Dummy):
    def __init__(self, status: int):
        super().__init__()
        self.status = status

    def paper_status(self) -> int:
        return self.status


def test_printer_ready_asks_the_paper_sensor():
    config = PrinterConfig(backend="escpos")
    assert "缺纸" in printer_ready(config, printer=_Paper(0))
    assert printer_ready(config, printer=_Paper(1)) is None  # near end still prints
    assert printer_ready(config, printer=_Paper(2)) is None
    assert printer_ready(PrinterConfig()) is None  # the file back-end is always ready


def test_printer_ready_says_an_unreachable_printer_and_a_missing_cups():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    message = printer_ready(PrinterConfig(backend="escpos", escpos_host="127.0.0.1", escpos_port=port,
                                          escpos_timeout=1))
    assert message and "无法连接热敏打印机" in message
    assert "lp" in printer_ready(PrinterConfig(backend="cups", cups_queue="x", lp_path="/nonexistent/lp"))
