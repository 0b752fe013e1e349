"""Vectors for hall_app/domain/scans.py: the type of a 授权委托书 scan from its first
bytes, and every refusal in words at the size limits. Pure, no I/O."""

from __future__ import annotations

import pytest

from hall_app.domain.scans import LABELS, MAX_SCAN_BYTES, scan_problem, scan_type, size_problem

PDF = b"%PDF-1.7\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
TOO_BIG = "扫描件超过 8 MB，请压缩或降低分辨率后再附"
NOT_A_SCAN = "扫描件只能是 PDF、JPEG 或 PNG 文件（按文件内容识别，不看扩展名）"


@pytest.mark.parametrize(("head", "mime"), [
    (PDF, "application/pdf"),
    (b"%PDF-", "application/pdf"),
    (b"%PDF", ""),  # one byte short of the magic
    (JPEG, "image/jpeg"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\xff\xd8\xfe", ""),
    (PNG, "image/png"),
    (b"\x89PNG\r\n\x1a", ""),
    (b"\x89PNG\n\r\x1a\n", ""),  # the line ends swapped (a text-mode copy)
    (b"GIF89a", ""),
    (b"x%PDF-", ""),  # the magic must start the file
    (b"", ""),
])
def test_scan_type(head, mime):
    assert scan_type(head) == mime


@pytest.mark.parametrize(("size", "problem"), [
    (-1, "扫描件是空文件"),
    (0, "扫描件是空文件"),
    (1, ""),
    (MAX_SCAN_BYTES, ""),
    (MAX_SCAN_BYTES + 1, TOO_BIG),
])
def test_size_problem(size, problem):
    assert size_problem(size) == problem


def test_the_limit_is_8_mb():
    assert MAX_SCAN_BYTES == 8 * 1024 * 1024
    assert LABELS == {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@pytest.mark.parametrize(("head", "size", "problem"), [
    (b"", 0, "扫描件是空文件"),
    (PDF, len(PDF), ""),
    (JPEG, len(JPEG), ""),
    (PNG, 100, ""),
    (b"MZ\x90\x00 an exe named scan.jpg", 26, NOT_A_SCAN),
    (b"\x00" * 15 + b"%PDF-", 20, NOT_A_SCAN),
    (PDF, MAX_SCAN_BYTES, ""),
    (PDF, MAX_SCAN_BYTES + 1, TOO_BIG),
    (b"\x00", MAX_SCAN_BYTES + 1, TOO_BIG),  # the size is said first
], ids=lambda v: str(v)[:20])
def test_scan_problem(head, size, problem):
    """``head`` padded with NUL bytes to ``size`` bytes."""
    assert scan_problem(head + b"\x00" * (size - len(head))) == problem
