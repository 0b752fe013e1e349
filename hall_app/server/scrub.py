"""Taking personal data out of a department's note before a stranger reads it on the
tracking page: the case's names, ID numbers, phones and addresses, in any spacing,
full-width or with invisible characters in between, and anything that looks like
a long number, a phone read out in Chinese numerals, an e-mail or a street address.

Matching runs on a *canonical* copy of the note, one character per character (full
width → ASCII, every space or invisible character → " ", every dash → "-"), so the
spans found there cut the original text, whose other characters (Chinese
punctuation included) stay exactly as the department wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MASK = "***"
SEPARATORS = " -._/()"
MIN_DIGITS = 6  # any run of this many digits (with separators) is masked
MIN_PART = 4  # a run this long is masked when it is part of one of the case's numbers
CN_DIGITS = "〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖两幺"

_DIGIT_RUN = re.compile(r"\d(?:[ \-._/()]{0,3}\d)+(?:[ \-._/()]{0,3}X(?![A-Z]))?")
_CN_RUN = re.compile(rf"[{CN_DIGITS}](?:[ \-.]{{0,2}}[{CN_DIGITS}]){{6,}}")
_DATE = re.compile(r"^(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}$")
_EMAIL = re.compile(r"[A-Z0-9._%+-]+ ?@ ?[A-Z0-9.-]+\.[A-Z]{2,}")
_STOP = "请到在于至往去和或的与及向从把由将为前后内外赴"
_PLACE_CHAR = rf"[^\W\d_{_STOP}]"
_NUMBER = r"[\d一二三四五六七八九十百零〇]+"
_UNIT = r"(?:号楼|号院|号|弄|栋|幢|座|单元|楼|层|室|户|附)"
_ADDRESS = re.compile(
    rf"{_PLACE_CHAR}{{0,10}}?(?:路|街|大道|大街|巷|弄|胡同|村|社区|小区|花园|苑|大厦|广场|组)"
    rf" ?{_NUMBER} ?{_UNIT}(?:[ \-]?附?[\dA-Z一二三四五六七八九十]+ ?{_UNIT}?)*"
    rf"|{_NUMBER} ?(?:栋|幢|号楼)(?:[ \-]?[\dA-Z一二三四五六七八九十]+ ?{_UNIT}?)+")
_ADMIN = re.compile(r"(?:省|自治区|市|自治州|区|县|旗|镇|乡|街道)")
_NAME_GAP = r"[ .\-]{0,3}"


def canonical(text: str) -> str:
    """One character per character of ``text``: digits ASCII, letters upper case,
    spaces and invisible characters " ", dashes "-", middle dots "."."""
    out = []
    for ch in text:
        decimal = unicodedata.decimal(ch, None)
        if decimal is not None:
            out.append(str(decimal))
            continue
        n = unicodedata.normalize("NFKC", ch)
        n = n if len(n) == 1 else ch
        category = unicodedata.category(n)
        if n.isspace() or category in ("Cf", "Cc", "Zs", "Mn"):
            out.append(" ")
        elif category == "Pd" or n in "−":
            out.append("-")
        elif n in "·・•‧":
            out.append(".")
        else:
            out.append(n.upper() if n.isascii() else n)
    return "".join(out)


def _digits(value: Any) -> str:
    return "".join(c for c in canonical(str(value or "")) if c.isdigit() or c == "X")


def personal_values(state) -> tuple[list[str], list[str], list[str]]:
    """(names, numbers, addresses) the case holds about people."""
    names, numbers, addresses = [], [], []
    groups: list[dict] = [state.applicant or {}, state.proxy or {}, state.fields or {}]
    for group in groups:
        for key, value in group.items():
            if not isinstance(value, str) or not value.strip():
                continue
            k = key.lower()
            if "name" in k or k in ("legal_rep", "contact", "representative") or k.endswith("_rep"):
                names.append(value.strip())
            elif "address" in k or "addr" in k or k in ("domicile", "residence"):
                addresses.append(value.strip())
            digits = _digits(value)
            if len(digits) >= MIN_PART and len(digits) >= len(value.strip()) // 2:
                numbers.append(digits)
    return names, numbers, addresses


def _name_forms(name: str) -> list[str]:
    forms = [name]
    if 3 <= len(name) <= 6:  # the given name alone (思远), also after a two-character surname
        forms += [name[1:], name[2:]] if len(name) >= 4 else [name[1:]]
    return [f for f in forms if len(f) >= 2]


def _address_forms(address: str) -> list[str]:
    forms = [address]
    cuts = [m.end() for m in _ADMIN.finditer(address)]
    for cut in cuts:
        tail = address[cut:]
        if len(tail) >= 3:
            forms.append(tail)
    return forms


def _loose(value: str, gap: str) -> re.Pattern:
    chars = [re.escape(c) for c in canonical(value) if not c.isspace()]
    return re.compile(gap.join(chars))


def spans(text: str, state=None) -> list[tuple[int, int]]:
    """Where the personal data in ``text`` is (start, end), merged and sorted."""
    canon = canonical(text)
    found: list[tuple[int, int]] = []
    names, numbers, addresses = personal_values(state) if state is not None else ([], [], [])
    for value in {f for n in names for f in _name_forms(n)} | {f for a in addresses for f in _address_forms(a)}:
        pattern = _loose(value, _NAME_GAP)
        if pattern.pattern:
            found += [m.span() for m in pattern.finditer(canon)]
    for m in _DIGIT_RUN.finditer(canon):
        digits = _digits(m.group())
        core = digits.rstrip("X")
        if len(core) >= MIN_DIGITS and not _DATE.match(m.group()):
            found.append(m.span())
        elif len(digits) >= MIN_PART and any(digits in n for n in numbers):
            found.append(m.span())  # part of an ID number or phone (a birth date too)
    for regex in (_CN_RUN, _EMAIL, _ADDRESS):
        found += [m.span() for m in regex.finditer(canon)]
    return _merge(found)


def _merge(found: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(s for s in found if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def scrub(text: str, state=None) -> str:
    """``text`` with everything personal replaced by ***."""
    if not text:
        return ""
    out, last = [], 0
    for start, end in spans(text, state):
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)
