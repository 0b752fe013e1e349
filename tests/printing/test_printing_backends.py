"""Printer back-ends: the PDF is always kept; failures are Chinese messages, not exceptions."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess

import pytest
from printing_samples import CODE, URL, pdf_text

from printing import PrinterConfig, print_document, reprint
from printing.service import pdf_name

escpos_printer = pytest.importorskip("escpos.printer")
zxingcpp = pytest.importorskip("zxingcpp")

GS_V0 = b"\x1dv0"  # GS v 0: raster bit image
CUT = b"\x1dV"  # GS V: cut


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the with block ends


def fake_tool(tmp_path, name: str, script: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


# -- file --------------------------------------------------------------------

def test_file_backend_keeps_the_pdf(tmp_path, receipt_data):
    result = print_document("receipt", receipt_data, config=PrinterConfig(pdf_dir=tmp_path))
    assert result.ok and result.sent_to == "file" and result.warnings == []
    assert result.pdf_path.parent == tmp_path
    assert result.pdf_path.name.startswith(f"receipt-{CODE}-") and result.pdf_path.name.endswith("-a4.pdf")
    assert "受理回执" in pdf_text(result.pdf_path.read_bytes())
    again = print_document("receipt", receipt_data, config=PrinterConfig(pdf_dir=tmp_path))
    assert again.pdf_path != result.pdf_path and result.pdf_path.exists()  # nothing overwritten
    assert not list(tmp_path.glob("*.part"))


def test_explicit_out_path(tmp_path, any_document):
    kind, data = any_document
    out = tmp_path / "sub" / f"{kind}.pdf"
    result = print_document(kind, data, out=out)
    assert result.ok and result.pdf_path == out and out.read_bytes().startswith(b"%PDF")


def test_pdf_name_has_kind_code_and_time():
    import datetime as dt

    assert pdf_name("notice", "K7P9-M2QT-X4RH", "a4", dt.datetime(2026, 11, 21, 10, 30, 5)) == \
        "notice-K7P9M2QTX4RH-20261121-103005-a4.pdf"


def test_unknown_kind_raises_but_unknown_backend_is_a_message(tmp_path, receipt_data):
    with pytest.raises(ValueError):
        print_document("invoice", receipt_data, config=PrinterConfig(pdf_dir=tmp_path))
    result = print_document("receipt", receipt_data, config=PrinterConfig(backend="fax", pdf_dir=tmp_path))
    assert "fax" in result.error and result.pdf_path.exists()


def test_unwritable_pdf_dir_is_a_message(tmp_path, receipt_data):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = print_document("receipt", receipt_data, config=PrinterConfig(pdf_dir=blocker / "sub"))
    assert result.pdf_path is None and "无法保存" in result.error


# -- ESC/POS -----------------------------------------------------------------

@pytest.mark.parametrize(("width", "dots"), [("80mm", 576), ("58mm", 384)])
def test_escpos_dummy_gets_raster_image_and_cut(tmp_path, receipt_data, width, dots):
    dummy = escpos_printer.Dummy()
    config = PrinterConfig(backend="escpos", escpos_width=width, pdf_dir=tmp_path)
    result = print_document("receipt", receipt_data, config=config, printer=dummy)
    assert result.ok, result.error
    out = dummy.output
    start = out.index(GS_V0)
    width_bytes = out[start + 4] + 256 * out[start + 5]  # after GS v 0 and the density byte
    assert width_bytes == dots // 8  # one raster row = the printer's dot width
    assert len(out) > 20_000  # image bytes were produced
    assert out.rstrip(b"\x00").endswith(CUT) or CUT in out[-8:]
    assert result.pdf_path.name.endswith(f"-{width}.pdf")  # a4 was not used for a roll printer


def test_escpos_bitmap_carries_a_readable_qr(tmp_path, receipt_data):
    from printing.raster import pdf_to_images

    result = print_document("receipt", receipt_data, config=PrinterConfig(
        backend="escpos", escpos_width="58mm", pdf_dir=tmp_path), printer=escpos_printer.Dummy())
    images, _ = pdf_to_images(result.pdf_path.read_bytes(), 384)
    assert [b.text for b in zxingcpp.read_barcodes(images[0].convert("L"))] == [URL]


def test_a4_requested_on_a_thermal_printer_is_laid_out_for_the_roll(tmp_path, receipt_data):
    result = print_document("receipt", receipt_data, paper="a4", printer=escpos_printer.Dummy(),
                            config=PrinterConfig(backend="escpos", escpos_width="58mm", pdf_dir=tmp_path))
    assert result.ok and result.pdf_path.name.endswith("-58mm.pdf")
    assert any("58mm" in w for w in result.warnings)


class _Paper(escpos_printer.Dummy):
    def __init__(self, status: int):
        super().__init__()
        self.status = status

    def paper_status(self) -> int:
        return self.status


def test_escpos_out_of_paper_is_a_message_and_prints_nothing(tmp_path, receipt_data):
    printer = _Paper(0)
    result = print_document("receipt", receipt_data, printer=printer,
                            config=PrinterConfig(backend="escpos", pdf_dir=tmp_path))
    assert "缺纸" in result.error and result.pdf_path.exists() and GS_V0 not in printer.output


def test_escpos_paper_near_end_prints_with_a_warning(tmp_path, receipt_data):
    printer = _Paper(1)
    result = print_document("receipt", receipt_data, printer=printer,
                            config=PrinterConfig(backend="escpos", pdf_dir=tmp_path))
    assert result.ok and any("纸将用尽" in w for w in result.warnings) and GS_V0 in printer.output


def test_escpos_network_printer_unreachable(tmp_path, receipt_data):
    port = closed_port()
    config = PrinterConfig(backend="escpos", escpos_host="127.0.0.1", escpos_port=port,
                           escpos_timeout=2, pdf_dir=tmp_path)
    result = print_document("receipt", receipt_data, config=config)
    assert result.sent_to is None
    assert "无法连接热敏打印机" in result.error and f"127.0.0.1:{port}" in result.error
    assert "连接被拒绝" in result.error
    assert result.pdf_path.exists()  # kept for the reprint


def test_escpos_usb_printer_missing(tmp_path, receipt_data):
    config = PrinterConfig(backend="escpos", escpos_usb_vendor=0x0416, escpos_usb_product=0x5011,
                           pdf_dir=tmp_path)
    result = print_document("receipt", receipt_data, config=config)
    assert "USB" in result.error and result.pdf_path.exists()


def test_escpos_without_an_address(tmp_path, receipt_data):
    result = print_document("receipt", receipt_data, config=PrinterConfig(backend="escpos", pdf_dir=tmp_path))
    assert "escpos_host" in result.error and result.pdf_path.exists()


def test_escpos_network_printer_receives_the_job(tmp_path, receipt_data):
    """A loopback socket stands in for a network printer on port 9100."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    received = bytearray()

    def serve():
        conn, _ = server.accept()
        with conn:
            while chunk := conn.recv(65536):
                received.extend(chunk)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    config = PrinterConfig(backend="escpos", escpos_host="127.0.0.1", escpos_port=server.getsockname()[1],
                           escpos_width="58mm", pdf_dir=tmp_path, escpos_check_paper=False)
    result = print_document("receipt", receipt_data, config=config)
    thread.join(5)
    server.close()
    assert result.ok, result.error
    assert result.sent_to.startswith("escpos:127.0.0.1:")
    assert GS_V0 in received and CUT in received


def test_reprint_sends_the_kept_pdf_again(tmp_path, receipt_data):
    first = print_document("receipt", receipt_data, config=PrinterConfig(
        backend="escpos", escpos_host="127.0.0.1", escpos_port=closed_port(), escpos_timeout=2,
        pdf_dir=tmp_path))
    assert first.error
    dummy = escpos_printer.Dummy()
    second = reprint(first.pdf_path, PrinterConfig(backend="escpos"), printer=dummy)
    assert second.ok and second.pdf_path == first.pdf_path and GS_V0 in dummy.output


# -- CUPS --------------------------------------------------------------------

def test_cups_lp_missing(tmp_path, receipt_data):
    config = PrinterConfig(backend="cups", cups_queue="hall", lp_path=str(tmp_path / "no" / "lp"),
                           pdf_dir=tmp_path)
    result = print_document("receipt", receipt_data, config=config)
    assert "未找到打印命令 lp" in result.error and "CUPS" in result.error
    assert result.pdf_path.exists()


def test_cups_without_a_queue_name(tmp_path, receipt_data):
    result = print_document("receipt", receipt_data, config=PrinterConfig(backend="cups", pdf_dir=tmp_path))
    assert "cups_queue" in result.error and result.pdf_path.exists()


needs_sh = pytest.mark.skipif(os.name != "posix", reason="fake lp scripts need /bin/sh")


@needs_sh
def test_cups_fake_lp_success_passes_queue_and_file(tmp_path, receipt_data):
    log = tmp_path / "args"
    lp = fake_tool(tmp_path, "lp", f'echo "$@" > {log}\necho "request id is hall-7 (1 file(s))"\n')
    result = print_document("receipt", receipt_data, config=PrinterConfig(
        backend="cups", cups_queue="hall", lp_path=lp, pdf_dir=tmp_path))
    assert result.ok and result.sent_to == "cups:hall"
    args = log.read_text().split()
    assert args[:2] == ["-d", "hall"] and args[-1] == str(result.pdf_path)


@needs_sh
@pytest.mark.parametrize(("lp_script", "lpstat_script", "expected"), [
    ('echo "lp: The printer or class does not exist." >&2; exit 1', None, "不存在"),
    ('echo "lp: Destination \\"hall\\" is not accepting jobs." >&2; exit 1', None, "不接受"),
    ('echo "lp: Unable to connect to server" >&2; exit 1', None, "CUPS 打印服务"),
    ("exit 0", 'echo "printer hall disabled since Sat 21 Nov 2026 -"; exit 0', "已停用或未开机"),
    ("exit 0", 'echo "lpstat: Invalid destination name in list \\"hall\\"" >&2; exit 1', "不存在"),
    ("sleep 5", None, "无响应"),
])
def test_cups_failures_become_messages(tmp_path, receipt_data, lp_script, lpstat_script, expected):
    lp = fake_tool(tmp_path, "lp", lp_script + "\n")
    if lpstat_script:
        fake_tool(tmp_path, "lpstat", lpstat_script + "\n")
    result = print_document("receipt", receipt_data, config=PrinterConfig(
        backend="cups", cups_queue="hall", lp_path=lp, lp_timeout=1, pdf_dir=tmp_path))
    assert result.sent_to is None and expected in result.error, result.error
    assert result.pdf_path.exists()


def _cups_running() -> str | None:
    if not shutil.which("lp") or not shutil.which("lpstat"):
        return "CUPS is not installed here (no lp/lpstat); the fake-lp tests cover the messages"
    state = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    if "not running" in (state.stdout + state.stderr) or state.returncode != 0:
        return "CUPS is installed but the scheduler is not running"
    return None


@pytest.mark.skipif(_cups_running() is not None, reason=str(_cups_running()))
def test_real_cups(tmp_path, receipt_data):
    """With a real CUPS: an unknown queue is named as such; HALL_TEST_CUPS_QUEUE prints for real."""
    result = print_document("receipt", receipt_data, config=PrinterConfig(
        backend="cups", cups_queue="hall-no-such-queue", pdf_dir=tmp_path))
    assert "不存在" in result.error and result.pdf_path.exists()
    queue = os.environ.get("HALL_TEST_CUPS_QUEUE")
    if queue:
        ok = print_document("receipt", receipt_data, config=PrinterConfig(
            backend="cups", cups_queue=queue, pdf_dir=tmp_path))
        assert ok.ok, ok.error
