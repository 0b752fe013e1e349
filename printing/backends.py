"""Printer back-ends: keep the file, hand it to CUPS, or rasterise it for ESC/POS.

Each ``send_*`` returns ``(sent_to, error, warnings)`` and never raises for a
printer problem: the clerk gets a Chinese message and the PDF stays on disk for
a reprint. python-escpos and pypdfium2 are imported only on the ESC/POS path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from printing import labels

Outcome = tuple[str | None, str | None, list[str]]


@dataclass(frozen=True)
class PrinterConfig:
    backend: str = "file"  # file | cups | escpos
    pdf_dir: Path | None = None  # default: the user data dir, "printed/"
    font_path: str | None = None  # a TrueType CJK font (.ttf/.ttc[#index]); else $HALL_FONT
    fallback_font_paths: tuple[str, ...] = ()  # fonts for 生僻字 the main font lacks
    # CUPS
    cups_queue: str = ""
    lp_path: str = "lp"
    lp_timeout: float = 20.0
    # ESC/POS thermal printer: network (host/port) or USB (vendor/product ids)
    escpos_host: str = ""
    escpos_port: int = 9100
    escpos_usb_vendor: int | None = None
    escpos_usb_product: int | None = None
    escpos_width: str = "80mm"  # "80mm" (576 dots) or "58mm" (384 dots)
    escpos_dots: int | None = None  # override the printable width in dots
    escpos_profile: str | None = None  # a python-escpos printer profile name
    escpos_impl: str = "bitImageRaster"  # or "graphics" / "bitImageColumn" for odd models
    escpos_timeout: float = 10.0
    escpos_check_paper: bool = True

    def resolved_pdf_dir(self) -> Path:
        if self.pdf_dir is not None:
            return Path(self.pdf_dir)
        from platformdirs import user_data_path

        return user_data_path("hall-app") / "printed"


def send(pdf_path: Path, config: PrinterConfig, printer=None) -> Outcome:
    """Send a kept PDF to the configured printer (``printer``: an open escpos object)."""
    if printer is not None or config.backend == "escpos":
        return send_escpos(pdf_path, config, printer)
    if config.backend == "file":
        return "file", None, []
    if config.backend == "cups":
        return send_cups(pdf_path, config)
    return None, labels.E_UNKNOWN_BACKEND.format(backend=config.backend), []


# -- CUPS -------------------------------------------------------------------

def _find(exe: str) -> str | None:
    if os.sep in exe or (os.altsep and os.altsep in exe):
        return exe if os.path.isfile(exe) and os.access(exe, os.X_OK) else None
    return shutil.which(exe)


def _classify(text: str, queue: str) -> str | None:
    low = text.lower()
    if "does not exist" in low or "unknown destination" in low or "invalid destination" in low:
        return labels.E_CUPS_QUEUE.format(queue=queue)
    if "not accepting" in low:
        return labels.E_CUPS_REJECTING.format(queue=queue)
    if any(s in low for s in ("unable to connect", "bad file descriptor", "no such file",
                              "scheduler not responding", "connection refused")):
        return labels.E_CUPS_SERVER
    return None


def _c_locale() -> dict[str, str]:
    """CUPS translates its messages; ask for English so they can be recognised."""
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def _queue_state(lpstat: str | None, queue: str, timeout: float) -> str | None:
    """An error message if ``lpstat -p`` says the queue is unknown or disabled."""
    if not lpstat:
        return None
    try:
        run = subprocess.run([lpstat, "-p", queue], capture_output=True, text=True,
                             timeout=timeout, check=False, env=_c_locale())
    except (OSError, subprocess.SubprocessError):
        return None  # lp itself will tell
    text = run.stdout + run.stderr
    if run.returncode != 0:
        return _classify(text, queue)
    if "disabled" in text.lower():
        return labels.E_CUPS_DISABLED.format(queue=queue)
    return None


def send_cups(pdf_path: Path, config: PrinterConfig) -> Outcome:
    queue = config.cups_queue
    if not queue:
        return None, labels.E_CUPS_NO_QUEUE, []
    lp = _find(config.lp_path)
    if lp is None:
        return None, labels.E_LP_MISSING.format(path=config.lp_path), []
    lpstat = _find(os.path.join(os.path.dirname(lp), "lpstat"))
    state = _queue_state(lpstat, queue, min(5.0, config.lp_timeout))
    if state:
        return None, state, []
    try:
        run = subprocess.run([lp, "-d", queue, "-t", Path(pdf_path).stem, str(pdf_path)],
                             capture_output=True, text=True, timeout=config.lp_timeout, check=False,
                             env=_c_locale())
    except subprocess.TimeoutExpired:
        return None, labels.E_CUPS_TIMEOUT.format(seconds=int(config.lp_timeout)), []
    except OSError as exc:
        return None, labels.E_CUPS_OTHER.format(detail=exc), []
    if run.returncode != 0:
        detail = (run.stderr or run.stdout).strip()
        return None, _classify(detail, queue) or labels.E_CUPS_OTHER.format(detail=detail), []
    return f"cups:{queue}", None, []


# -- ESC/POS ----------------------------------------------------------------

def _net_detail(text: str) -> str:
    low = text.lower()
    for key, word in (("refused", "连接被拒绝"), ("timed out", "连接超时"), ("no route", "网络不可达"),
                      ("unreachable", "网络不可达"), ("name or service", "主机名无法解析"),
                      ("nodename", "主机名无法解析")):
        if key in low:
            return word
    return text.strip().splitlines()[-1] if text.strip() else "未知错误"


def _open_printer(config: PrinterConfig):
    from escpos.exceptions import DeviceNotFoundError, USBNotFoundError

    if config.escpos_host:
        from escpos.printer import Network

        printer = Network(config.escpos_host, config.escpos_port, timeout=config.escpos_timeout,
                          profile=config.escpos_profile)
        where = f"escpos:{config.escpos_host}:{config.escpos_port}"
        try:
            printer.open()
        except DeviceNotFoundError as exc:
            raise _Failure(labels.E_ESCPOS_NET.format(
                host=config.escpos_host, port=config.escpos_port, detail=_net_detail(str(exc)))) from exc
        return printer, where
    if config.escpos_usb_vendor is not None and config.escpos_usb_product is not None:
        from escpos.printer import Usb

        vendor, product = config.escpos_usb_vendor, config.escpos_usb_product
        if not Usb.is_usable():  # pyusb missing: don't even build the object
            raise _Failure(labels.E_ESCPOS_NO_PYUSB)
        printer = Usb(vendor, product, timeout=int(config.escpos_timeout * 1000),
                      profile=config.escpos_profile)
        try:
            printer.open()
        except USBNotFoundError as exc:
            raise _Failure(labels.E_ESCPOS_USB.format(vendor=vendor, product=product)) from exc
        return printer, f"escpos:usb:{vendor:04x}:{product:04x}"
    raise _Failure(labels.E_ESCPOS_CONFIG)


class _Failure(Exception):
    pass


def _paper_status(printer) -> int | None:
    """2 = fine, 1 = near end, 0 = out; None when the printer does not answer."""
    device = getattr(printer, "_device", None)
    old = device.gettimeout() if hasattr(device, "gettimeout") else None
    try:
        if hasattr(device, "settimeout"):
            device.settimeout(1.5)
        return printer.paper_status()
    except Exception:  # not every printer/transport can report status
        return None
    finally:
        if hasattr(device, "settimeout"):
            device.settimeout(old)


def print_images(printer, images, config: PrinterConfig) -> list[str]:
    """Send rasterised pages and cut; returns warnings. Raises on transport errors."""
    import copy

    warnings: list[str] = []
    if config.escpos_check_paper:
        status = _paper_status(printer)
        if status == 0:
            raise _Failure(labels.E_ESCPOS_PAPER)
        if status == 1:
            warnings.append(labels.W_PAPER_LOW)
    # Own copy of the profile: tell python-escpos the real width (no shared-state edits).
    printer.profile.profile_data = copy.deepcopy(printer.profile.profile_data)
    media = printer.profile.profile_data.setdefault("media", {})
    media["width"] = {"pixels": images[0].width, "mm": round(images[0].width / 8)}
    media["dpi"] = 203
    for image in images:
        printer.image(image, impl=config.escpos_impl)
    printer.cut()
    return warnings


def send_escpos(pdf_path: Path, config: PrinterConfig, printer=None) -> Outcome:
    from printing.papers import get_paper
    from printing.raster import pdf_to_images

    dots = config.escpos_dots or get_paper(config.escpos_width).dots
    images, warnings = pdf_to_images(Path(pdf_path).read_bytes(), dots)
    where = "escpos:custom"
    opened = printer is None
    try:
        if opened:
            printer, where = _open_printer(config)
        warnings += print_images(printer, images, config)
    except _Failure as exc:
        return None, str(exc), warnings
    except OSError as exc:  # broken pipe, reset, timeout mid-job
        return None, labels.E_ESCPOS_SEND.format(detail=_net_detail(str(exc))), warnings
    except Exception as exc:  # python-escpos raises its own errors for odd states
        return None, labels.E_ESCPOS_SEND.format(detail=exc), warnings
    finally:
        if opened and printer is not None:
            try:
                printer.close()
            except Exception:
                pass
    return where, None, warnings
