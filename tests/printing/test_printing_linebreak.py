"""Chinese line breaking (禁则): no line starts with closing punctuation, none ends
with an opening one, and a lone "）" never sits on a line — checked on the rule
itself and on the lines read back from rendered PDFs."""

from __future__ import annotations

import itertools

import pytest
from printing_samples import BUILDERS, pdfium_text

from hall_app.domain.documents import ItemLine, MaterialLine
from printing import render_pdf
from printing.linebreak import CANNOT_END, CANNOT_START, plan_lines

CLOSERS = "），。；：！？、》」』】"
OPENERS = "（《「『【"


def lines_of(text: str, width_chars: int) -> list[str]:
    chars = list(text)
    widths = [1.0 if ord(c) < 0x2E80 and not c.isspace() else 2.0 for c in chars]
    return [text[a:b] for a, b, _used, _hard in plan_lines(chars, widths, [2.0 * width_chars])]


def assert_kinsoku(lines: list[str]) -> None:
    for line in lines:
        line = line.strip()
        if not line:
            continue
        assert line[0] not in CLOSERS, f"line starts with closing punctuation: {line!r}"
        assert line[-1] not in OPENERS, f"line ends with opening punctuation: {line!r}"


def test_the_rule_sets_cover_the_chinese_marks():
    assert set(CLOSERS) <= CANNOT_START
    assert set(OPENERS) <= CANNOT_END


@pytest.mark.parametrize("width", range(4, 16))
def test_two_closing_marks_in_a_row_never_leave_one_alone(width):
    # "》）" at every position of the line end: reportlab hangs one and wraps the other.
    for pad in range(0, 2 * width):
        text = "甲" * pad + "预防接种证（办理结果：《预防接种证》）" + "乙丙丁"
        lines = lines_of(text, width)
        assert_kinsoku(lines)
        assert "".join(lines) == text  # nothing lost, nothing added


@pytest.mark.parametrize("width", range(3, 12))
def test_no_line_ends_with_an_opening_bracket(width):
    for pad in range(0, 2 * width):
        text = "甲" * pad + "详见《容缺受理承诺书》「注」【提示】（一）"
        assert_kinsoku(lines_of(text, width))


@pytest.mark.parametrize("width", range(3, 12))
def test_a_blank_before_a_closing_mark_is_no_break_point(width):
    for pad in range(0, 2 * width):
        text = "甲" * pad + "须于 2026年12月15日 ）前补交 《承诺书》 」完"
        lines = lines_of(text, width)
        assert all(not line.lstrip() or line.lstrip()[0] not in CLOSERS + "」" for line in lines), lines


def test_numbers_latin_words_and_ellipses_stay_whole():
    text = "咨询电话023-47521234，跟踪码7WEN-GFCF-E3UF……请核对——谢谢"
    for width in range(8, 20):
        lines = lines_of(text, width)
        joined = "|".join(lines)
        for whole in ("023-47521234", "7WEN-GFCF-E3UF", "……", "——"):
            assert whole in joined.replace("|", "") and whole in "".join(joined.split("|"))
            assert all(whole not in a + b or whole in a or whole in b
                       for a, b in itertools.pairwise(lines))


def test_a_run_with_no_legal_break_is_still_cut_and_kept():
    text = "A" * 50
    lines = lines_of(text, 10)
    assert "".join(lines) == text and max(len(x) for x in lines) <= 20


def pdf_lines(pdf: bytes) -> list[str]:
    """Lines of the rendered PDF as PDFium reads them. Cells of one table row share a
    line, separated by blanks, so each blank-separated piece is checked too."""
    pieces = []
    for line in pdfium_text(pdf).splitlines():
        pieces += [p for p in line.split() if p]
    return pieces


@pytest.mark.parametrize("paper", ["a4", "80mm", "58mm"])
def test_rendered_receipts_follow_the_rules(paper):
    """Item names whose "》）" lands on every column position of a table cell."""
    bad = []
    for pad in range(0, 14):
        items = (ItemLine("甲" * pad + "预防接种证", "市卫生健康委", 1, "2026-12-02", "《预防接种证》"),
                 ) + tuple(ItemLine("乙" * (pad + k) + "登记（出生）", "市公安局", 3, "2026-12-04")
                           for k in range(3))
        received = (MaterialLine("丙" * pad + "银行卡（缴费用）", "申请人本人银行借记卡（一类户）", "复印件"),)
        pdf = render_pdf("receipt", BUILDERS["receipt"](items=items, received=received), paper).pdf
        for piece in pdf_lines(pdf):
            if piece[0] in CLOSERS or piece[-1] in OPENERS or piece == "）":
                bad.append((pad, piece))
    assert not bad, bad[:5]


def test_rendered_refusal_paragraph_follows_the_rules():
    reason = "申请人提交的《营业执照》（副本）与《食品经营许可证》（正本）记载的经营者名称不一致，且"
    bad = []
    for pad in range(0, 30):
        pdf = render_pdf("refusal", BUILDERS["refusal"](reason="因" * pad + reason * 3), "a4").pdf
        bad += [p for p in pdf_lines(pdf) if p[0] in CLOSERS or p[-1] in OPENERS]
    assert not bad, bad[:5]


def test_punctuation_is_printed_as_typed():
    reason = "经营范围“软件开发；信息技术咨询服务”与申报不一致，且未提交章程。"
    text = "".join(pdfium_text(render_pdf("refusal", BUILDERS["refusal"](reason=reason), "a4").pdf).split())
    assert reason in text
