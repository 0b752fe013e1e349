"""hall-app report --format pdf on the demo hall: the A4 report is written, has one page
with the hall, the period and the reform's figures in its text; bad input is a message."""

from __future__ import annotations

import shutil


def test_report_pdf_from_the_command_line(tmp_path, capsys, demo_template):
    import pypdfium2 as pdfium

    from hall_app.cli import main

    db = tmp_path / "demo.db"
    shutil.copy(demo_template, db)
    out = tmp_path / "2026-11.pdf"
    assert main(["--db", str(db), "report", "--month", "2026-11", "--format", "pdf", "--out", str(out)]) == 0
    assert "已生成 2026年11月 月度统计报告" in capsys.readouterr().out
    doc = pdfium.PdfDocument(out.read_bytes())
    try:
        assert len(doc) == 1
        text = doc[0].get_textpage().get_text_range().replace("\r", "").replace("\n", " ")
    finally:
        doc.close()
    for words in ("重庆市江津区政务服务中心", "统计期：2026年11月", "减材料", "减跑动", "参考值", "分事项统计",
                  "新生儿出生", "好差评"):
        assert words in text, words
    assert main(["--db", str(db), "report", "--month", "2026-11", "--format", "pdf"]) != 0
    assert "请用 --out 指定文件" in capsys.readouterr().err
