"""The scan or photo of a signed 授权委托书 attached to an agent's register (issue 13):
what kinds of file are taken and how large, decided by the file's own first bytes
(never by its name). Shared by the laptop (before it stores the file) and the server
(before it keeps the upload)."""

from __future__ import annotations

MAX_SCAN_BYTES = 8 * 1024 * 1024  # a phone photo of an A4 page, with room to spare
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def scan_type(head: bytes) -> str:
    """The MIME type from the file's first bytes ("" when it is none of PDF, JPEG, PNG)."""
    return next((mime for magic, mime in MAGIC if head.startswith(magic)), "")


def size_problem(size: int) -> str:
    if size <= 0:
        return "扫描件是空文件"
    if size > MAX_SCAN_BYTES:
        return f"扫描件超过 {MAX_SCAN_BYTES // (1024 * 1024)} MB，请压缩或降低分辨率后再附"
    return ""


def scan_problem(data: bytes) -> str:
    """Why ``data`` cannot be kept as a scan, in Chinese ("" when it can)."""
    problem = size_problem(len(data))
    if problem:
        return problem
    if not scan_type(data[:16]):
        return "扫描件只能是 PDF、JPEG 或 PNG 文件（按文件内容识别，不看扩展名）"
    return ""
