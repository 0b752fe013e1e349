"""The parsed tables of a TrueType font, kept between processes.

reportlab parses a font's cmap, metrics and glyph offsets on every start (0.13–0.16 s
of CPU for WenQuanYi Micro Hei's 49,000 glyphs) — half of a one-page print in a fresh
process. The parsed face is stored with ``marshal`` in the user cache directory,
keyed by the font file (path, size, mtime), its subfont index and the reportlab
version; loading it back takes a third of that. The font file's bytes themselves are
read from the font file (subsetting needs them), never from the cache.

Anything unexpected — no cache folder, a stale, truncated or foreign file, another
reportlab — falls back to parsing the font, and the cache is never needed for a
correct PDF.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path

FORMAT = 1
_SKIP = ("_ttf_data", "_pdfScale")  # the file's bytes (read again) and a lambda (rebuilt)


def cache_dir() -> Path:
    if os.environ.get("HALL_CACHE_DIR"):
        return Path(os.environ["HALL_CACHE_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hall-app", appauthor=False))


def _entry(path: str, index: int) -> Path | None:
    from reportlab import Version

    try:
        st = os.stat(path)
    except OSError:
        return None
    key = f"{FORMAT}|{os.path.realpath(path)}|{index}|{st.st_size}|{st.st_mtime_ns}|{Version}"
    return cache_dir() / "fonts" / (hashlib.sha256(key.encode()).hexdigest()[:24] + ".marshal")


def make_font(name: str, path: str, index: int):
    """A reportlab ``TTFont`` for ``path#index``, from the cache when it is current."""
    from reportlab.pdfbase import ttfonts

    entry = _entry(path, index)
    face = _load(entry, path) if entry else None
    if face is None:
        font = ttfonts.TTFont(name, path, subfontIndex=index)
        if entry:
            _store(entry, font.face)
        return font
    original = ttfonts.TTFontFace
    ttfonts.TTFontFace = lambda *_args, **_kw: face  # TTFont's own constructor, with our face
    try:
        return ttfonts.TTFont(name, path, subfontIndex=index)
    finally:
        ttfonts.TTFontFace = original


def _load(entry: Path, path: str):
    from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace

    try:
        doc = marshal.loads(entry.read_bytes())
        state, names = doc["state"], doc["names"]
        if len(state["glyphPos"]) != state["numGlyphs"] + 1 or not state["charToGlyph"]:
            return None
        face = TTFontFace.__new__(TTFontFace)
        face.__dict__.update(state)
        for key in names:
            setattr(face, key, TTFNameBytes(state[key]))
        with open(path, "rb") as fh:
            face._ttf_data = fh.read()
        scale = 1000 / face.unitsPerEm
        face._pdfScale = (lambda x: x) if face.unitsPerEm == 1000 else (lambda x: x * scale)
        return face
    except Exception:  # missing, stale, truncated or foreign: parse the font
        return None


def _store(entry: Path, face) -> None:
    from reportlab.pdfbase.ttfonts import TTFNameBytes

    state = {k: v for k, v in face.__dict__.items() if k not in _SKIP}
    names = [k for k, v in state.items() if isinstance(v, TTFNameBytes)]
    state.update({k: bytes(state[k]) for k in names})
    tmp = None
    try:
        data = marshal.dumps({"state": state, "names": names})
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".font-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)
    except (OSError, ValueError):
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
