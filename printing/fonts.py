"""Finding, checking and registering the embedded CJK font.

Order: the configured file (``PrinterConfig.font_path`` or ``$HALL_FONT``) → a
system CJK TrueType font (fontconfig, then the usual font folders) → the font
shipped by a PyPI package the project depends on (``paperang-p2-fonts-cjk``:
WenQuanYi Micro Hei). Only TrueType outlines (.ttf/.ttc with a ``glyf`` table)
qualify: reportlab cannot embed CFF-outline OpenType (most Noto/Source Han .otf
and .ttc files), and a PDF that only *names* a CJK font prints blank Chinese.

Fonts are registered with reportlab once per process and shared by every
document (the parsed tables are cached; each PDF embeds its own small subset).
Characters the main font lacks (生僻字 such as 𠮷 U+20BB7) are looked up in
fallback fonts: configured ones (``fallback_font_paths`` / ``$HALL_FONT_FALLBACK``),
the other candidates above, and any system font fontconfig says has the glyph.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import threading
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

from printing import labels
from printing.results import PrintingError

PACKAGE_FONTS = (("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc", 0),)
PROBE = "政务服务中心受理回执跟踪码申请人办理事项"  # common Han: is this a Chinese font at all?
# Known TrueType-outline CJK files, best first, for machines without fontconfig.
KNOWN_FILES = (
    "wqy-microhei.ttc", "wqy-zenhei.ttc", "DroidSansFallbackFull.ttf", "DroidSansFallback.ttf",
    "msyh.ttc", "msyh.ttf", "simhei.ttf", "simsun.ttc", "simkai.ttf", "SourceHanSansSC-Regular.ttf",
    "LXGWWenKai-Regular.ttf", "NotoSansSC-Regular.ttf", "PingFang.ttc", "STHeiti Light.ttc",
    "Arial Unicode.ttf",
)
FONT_DIRS = (
    "/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
    "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts",
)
_SKIP_STYLES = ("bold", "light", "thin", "black", "heavy", "italic", "oblique", "mono")


@dataclass(frozen=True)
class FontSource:
    path: str
    index: int = 0
    origin: str = "system"  # configured | system | package | fallback

    @property
    def label(self) -> str:
        return f"{self.path}#{self.index}" if self.index else self.path


def parse_source(spec: str, origin: str) -> FontSource:
    """``/path/font.ttc#1`` → that file's subfont 1."""
    path, _, index = str(spec).partition("#")
    return FontSource(os.path.expanduser(path), int(index) if index.isdigit() else 0, origin)


def outline_kind(path: str, index: int = 0) -> tuple[str | None, bool]:
    """('truetype' | 'cff' | None, is_variable) from the sfnt table directory."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            offset = 0
            if head[:4] == b"ttcf":
                fh.seek(12 + 4 * index)
                (offset,) = struct.unpack(">I", fh.read(4))
                fh.seek(offset)
                head = fh.read(12)
            if len(head) < 12:
                return None, False
            (num_tables,) = struct.unpack(">H", head[4:6])
            fh.seek(offset + 12)
            tags = {fh.read(16)[:4] for _ in range(num_tables)}
    except (OSError, struct.error):
        return None, False
    variable = b"fvar" in tags
    if b"glyf" in tags:
        return "truetype", variable
    if b"CFF " in tags or b"CFF2" in tags:
        return "cff", variable
    return None, variable


def _fc_list(pattern: str) -> list[FontSource]:
    exe = shutil.which("fc-list")
    if not exe:
        return []
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}|%{index}|%{style}\n", pattern],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    found = []
    for line in out.splitlines():
        path, _, rest = line.partition("|")
        index, _, style = rest.partition("|")
        if not path or not index.isdigit() or int(index) > 0xFFFF:  # >0xFFFF: named instance
            continue
        if any(word in style.lower() for word in _SKIP_STYLES):
            continue
        found.append(FontSource(path, int(index), "system"))
    return found


def _scan_dirs() -> list[FontSource]:
    wanted = {name.lower(): rank for rank, name in enumerate(KNOWN_FILES)}
    hits: list[tuple[int, str]] = []
    for folder in FONT_DIRS:
        root = Path(os.path.expanduser(folder))
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            hits += [(wanted[f.lower()], os.path.join(dirpath, f)) for f in files if f.lower() in wanted]
    return [FontSource(path, 0, "system") for _rank, path in sorted(hits)]


def system_sources() -> list[FontSource]:
    return _fc_list(":lang=zh") or _scan_dirs()


def package_sources() -> list[FontSource]:
    found = []
    for module, rel, index in PACKAGE_FONTS:
        spec = find_spec(module)
        if spec and spec.submodule_search_locations:
            for base in spec.submodule_search_locations:
                if (Path(base) / rel).is_file():
                    found.append(FontSource(str(Path(base) / rel), index, "package"))
    return found


# -- registration (reportlab) ---------------------------------------------

_lock = threading.RLock()
_registered: dict[tuple[str, int], tuple[str, dict]] = {}
_fontsets: dict[tuple, "FontSet"] = {}


def _patch_to_unicode() -> None:
    """reportlab writes ``<20BB7>`` for characters beyond the BMP in the ToUnicode
    map, which breaks text extraction (copy, search, screen readers). Write the
    UTF-16 surrogate pair instead, as the PDF specification asks."""
    from reportlab.pdfbase import ttfonts

    if getattr(ttfonts.makeToUnicodeCMap, "_hall_patched", False):
        return
    original = ttfonts.makeToUnicodeCMap

    def make(fontname, subset):
        if all(v <= 0xFFFF for v in subset):
            return original(fontname, subset)
        text = original(fontname, [v if v <= 0xFFFF else 0xFFFD for v in subset])
        for i, v in enumerate(subset):
            if v > 0xFFFF:
                utf16 = chr(v).encode("utf-16-be").hex().upper()
                text = text.replace(f"<{i:02X}> <FFFD>", f"<{i:02X}> <{utf16}>", 1)
        return text

    make._hall_patched = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = make


def register(source: FontSource) -> tuple[str, dict]:
    """Register a font file with reportlab once; return (font name, cmap)."""
    key = _key(source)
    with _lock:
        if key in _registered:
            return _registered[key]
        if not os.path.isfile(source.path):
            raise PrintingError(labels.E_FONT_MISSING)
        kind, _variable = outline_kind(source.path, source.index)
        if kind == "cff":
            raise PrintingError(labels.E_FONT_CFF)
        from reportlab.pdfbase import pdfmetrics

        from printing.fontcache import make_font

        _patch_to_unicode()
        name = f"HallCJK{len(_registered) + 1}"
        try:
            font = make_font(name, source.path, source.index)  # parsed tables kept between processes
        except Exception as exc:  # TTFError, struct errors on broken files
            raise PrintingError(labels.E_FONT_BAD.format(err=exc)) from exc
        # reportlab maps a second font whose PostScript name it has seen to the first
        # one (two different files both called "SimSun", say): keep face names unique.
        base, n = font.face.name, 1
        while font.face.name in getattr(pdfmetrics, "_dynFaceNames", {}):
            n += 1
            font.face.name = base + b"-%d" % n if isinstance(base, bytes) else f"{base}-{n}"
        pdfmetrics.registerFont(font)
        _registered[key] = (name, font.face.charToGlyph)
        return _registered[key]


@dataclass
class FontSet:
    """The main font plus lazily loaded fallbacks, shared across documents."""

    main: str
    main_cmap: dict
    main_source: FontSource
    fallback_sources: list[FontSource]
    warnings: list[str] = field(default_factory=list)  # from resolution, repeated per document
    _char_font: dict[str, str | None] = field(default_factory=dict)
    _loaded: list[tuple[str, dict]] = field(default_factory=list)
    _dead: set = field(default_factory=set)

    def has(self, ch: str) -> bool:
        return ord(ch) in self.main_cmap

    def font_for(self, ch: str) -> str | None:
        """Name of a registered fallback font that has ``ch``, or None."""
        with _lock:
            if ch not in self._char_font:
                self._char_font[ch] = self._search(ord(ch))
            return self._char_font[ch]

    def _search(self, code: int) -> str | None:
        for name, cmap in self._loaded:
            if code in cmap:
                return name
        queue = list(self.fallback_sources)
        queue += _fc_list(f":charset={code:x}")  # fontconfig knows who has the glyph
        for source in queue:
            key = _key(source)
            if key in self._dead or key == _key(self.main_source):
                continue
            try:
                name, cmap = register(source)
            except PrintingError:
                self._dead.add(key)
                continue
            if all(name != loaded for loaded, _ in self._loaded):
                self._loaded.append((name, cmap))
            if code in cmap:
                return name
        return None


def _key(source: FontSource) -> tuple[str, int]:
    return (os.path.realpath(source.path), source.index)


def _usable(source: FontSource, warnings: list[str]) -> tuple[str, dict] | None:
    if source.origin != "configured" and outline_kind(source.path, source.index)[1]:
        return None  # a variable font prints its default instance (often Thin): skip
    try:
        name, cmap = register(source)
    except PrintingError as exc:
        if source.origin == "configured":
            warnings.append(labels.W_FONT_SKIPPED.format(path=source.label, why=exc))
        return None
    if not all(ord(ch) in cmap for ch in PROBE):
        if source.origin == "configured":
            warnings.append(labels.W_FONT_SKIPPED.format(path=source.label, why=labels.E_FONT_NO_HAN))
        return None
    return name, cmap


def load_fonts(font_path: str | None = None, fallback_paths: tuple[str, ...] = ()) -> FontSet:
    """Resolve and register the fonts; cached for the life of the process."""
    configured = [p for p in (font_path, os.environ.get("HALL_FONT")) if p]
    env_fallback = os.environ.get("HALL_FONT_FALLBACK", "")
    fallbacks = [*fallback_paths, *[p for p in env_fallback.split(os.pathsep) if p]]
    key = (tuple(configured), tuple(fallbacks))
    with _lock:
        if key in _fontsets:
            return _fontsets[key]
        warnings: list[str] = []
        candidates = [parse_source(p, "configured") for p in configured]
        candidates += system_sources() + package_sources()
        chosen = None
        for source in candidates:
            found = _usable(source, warnings)
            if found:
                chosen = (source, found)
                break
        if chosen is None:
            raise PrintingError(labels.E_NO_FONT)
        source, (name, cmap) = chosen
        rest = [c for c in candidates if c != source and c.origin != "configured"]
        fontset = FontSet(
            name, cmap, source, [parse_source(p, "fallback") for p in fallbacks] + rest, warnings
        )
        _fontsets[key] = fontset
        return fontset
