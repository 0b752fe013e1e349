"""Load and validate bundle files (TOML). All-or-nothing: a catalog with any broken
file does not load, and every error names the file, the bundle, the field path and
the reason.

The validated catalog is cached in the user cache directory, keyed by a hash of every
bundle file's bytes and of the schema's source: parsing TOML and importing pydantic
cost far more than reading one JSON file, and ``hall-app bundles list`` needs neither.
A stale key, a corrupt or truncated file, or one whose digest does not match is
ignored and rewritten; the cache is never needed for correctness.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pydantic and the schema load only when a file must be validated
    from hall_app.domain.bundle import Bundle
    from hall_app.domain.catalog import Catalog, CatalogEntry
    from hall_app.domain.dictionary import Dictionary

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
DICTIONARY_DIR = Path(__file__).resolve().parent / "dictionary"


@dataclass(frozen=True)
class BundleProblem:
    file: str
    bundle: str
    path: str
    reason: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.file} [{self.bundle}]{where}: {self.reason}"


class CatalogError(Exception):
    def __init__(self, problems: list[BundleProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def content_hash(data: dict) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def parse_bundle(data: dict, label: str) -> tuple[Bundle | None, list[BundleProblem]]:
    from pydantic import ValidationError

    from hall_app.domain.bundle import Bundle

    name = f"{data.get('code', '?')} {data.get('name', '')}".strip() if isinstance(data, dict) else "?"
    try:
        return Bundle.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            reason = _limit_reason(err) or err["msg"].removeprefix("Value error, ")
            path = _loc(tuple(err["loc"]))
            if err["type"] == "value_error" and "；" in reason:
                problems += [BundleProblem(label, name, path, r) for r in reason.split("；")]
            else:
                problems.append(BundleProblem(label, name, path, reason))
        return None, problems


def _limit_reason(err: dict) -> str | None:
    """A plain Chinese sentence for a broken size limit (pydantic's is English)."""
    ctx = err.get("ctx") or {}
    if err["type"] == "too_long":
        return (f"最多 {ctx.get('max_length')} 项，这里有 {ctx.get('actual_length')} 项"
                "（上限见 hall_app/domain/bundle.py 的 LIMITS）")
    if err["type"] == "string_too_long":
        got = len(err["input"]) if isinstance(err.get("input"), str) else "?"
        return f"文字过长：最多 {ctx.get('max_length')} 个字符，这里有 {got} 个"
    return None


def load_dictionary(directory: Path = DICTIONARY_DIR) -> tuple[Dictionary | None, list[BundleProblem]]:
    """The shared material and field dictionaries (materials.toml, fields.toml)."""
    import tomllib

    from pydantic import ValidationError

    from hall_app.domain.dictionary import Dictionary

    data: dict[str, Any] = {}
    problems: list[BundleProblem] = []
    for part in ("materials", "fields"):
        path = directory / f"{part}.toml"
        label = _display(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(BundleProblem(label, "字典", "", f"无法读取文件：{exc}"))
            continue
        except tomllib.TOMLDecodeError as exc:
            problems.append(BundleProblem(label, "字典", "", f"TOML 格式错误：{exc}"))
            continue
        unknown = sorted(set(raw) - {part})
        if unknown:
            problems.append(BundleProblem(label, "字典", unknown[0], f"字典文件只能有 [[{part}]] 表"))
        data[part] = raw.get(part, [])
    if problems:
        return None, problems
    try:
        return Dictionary.model_validate(data), []
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            label = _display(directory / f"{loc[0]}.toml") if loc else _display(directory)
            problems.append(BundleProblem(label, "字典", _loc(loc),
                                          _limit_reason(err) or err["msg"].removeprefix("Value error, ")))
        return None, problems


_DICTIONARY: dict[Path, tuple[Dictionary | None, list[BundleProblem]]] = {}


def shipped_dictionary() -> tuple[Dictionary | None, list[BundleProblem]]:
    """The shipped dictionary, read once per process."""
    if DICTIONARY_DIR not in _DICTIONARY:
        _DICTIONARY[DICTIONARY_DIR] = load_dictionary(DICTIONARY_DIR)
    return _DICTIONARY[DICTIONARY_DIR]


def load_file(path: Path, dictionary: Dictionary | None = None) -> tuple[CatalogEntry | None, list[BundleProblem]]:
    import tomllib

    from hall_app.domain.bundle import LIMITS
    from hall_app.domain.catalog import CatalogEntry
    from hall_app.domain.dictionary import resolve_bundle

    label = _display(path)
    limit = LIMITS["file_bytes"]
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [BundleProblem(label, "?", "", f"文件过大：{size // 1024} KB，"
                                        f"套餐文件最大 {limit // 1024} KB")]
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [BundleProblem(label, "?", "", f"无法读取文件：{exc}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [BundleProblem(label, "?", "", f"TOML 格式错误：{exc}")]
    except RecursionError:
        return None, [BundleProblem(label, "?", "", "TOML 嵌套层数过多，无法读取")]
    if dictionary is None:
        dictionary, dict_problems = shipped_dictionary()
        if dictionary is None:
            return None, dict_problems
    data, unresolved = resolve_bundle(data, dictionary)
    bundle, problems = parse_bundle(data, label)
    name = f"{data.get('code', '?')} {data.get('name', '')}".strip()
    problems = [BundleProblem(label, name, path, reason) for path, reason in unresolved] + problems
    if bundle is None or unresolved:
        return None, problems
    if path.stem != bundle.code:
        problems.append(BundleProblem(label, f"{bundle.code} {bundle.name}", "code",
                                      f"文件名应与套餐编号一致（{bundle.code}.toml）"))
        return None, problems
    return CatalogEntry(bundle, content_hash(data), label), []


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def bundle_files(paths: Iterable[Path | str] | None = None) -> list[Path]:
    if not paths:
        paths = [CATALOG_DIR]
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files += sorted(path.glob("*.toml")) if path.is_dir() else [path]
    return files


def check(paths: Iterable[Path | str] | None = None, audit: bool = True
          ) -> tuple[list[CatalogEntry], list[BundleProblem]]:
    """Every file checked; with ``audit`` also each bundle's logic on the planner (unused
    questions, rules that never fire, items never reached: hall_app/domain/bundle_audit.py)."""
    entries: list[CatalogEntry] = []
    dictionary, found_in_dictionary = shipped_dictionary()
    problems: list[BundleProblem] = list(found_in_dictionary)
    if dictionary is None:
        return entries, problems
    for path in bundle_files(paths):
        entry, found = load_file(path, dictionary)
        problems += found
        if entry:
            entries.append(entry)
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for entry in entries:
        b = entry.bundle
        for seen, key, label in ((seen_codes, b.code, "编号"), (seen_names, b.name, "名称")):
            if key in seen:
                problems.append(BundleProblem(entry.source_file, f"{b.code} {b.name}",
                                              "code" if label == "编号" else "name",
                                              f"套餐{label}“{key}”与 {seen[key]} 重复"))
            seen[key] = entry.source_file
    if audit:
        from hall_app.domain.bundle_audit import findings

        for entry in entries:
            b = entry.bundle
            problems += [BundleProblem(entry.source_file, f"{b.code} {b.name}", f.path, f.reason)
                         for f in findings(b)]
    return entries, problems


def load_catalog(paths: Iterable[Path | str] | None = None) -> Catalog:
    """The validated catalog (from the cache when the files are unchanged)."""
    from hall_app.domain.catalog import Catalog, CatalogEntry

    files = bundle_files(paths)
    cached = _cached(files)
    if cached is not None:
        try:
            from hall_app.domain.bundle import Bundle

            return Catalog(CatalogEntry(Bundle.model_validate(e["bundle"]), e["content_hash"], label)
                           for e, label in zip(cached, map(_display, files)))
        except Exception:  # a cache that does not validate is rebuilt from the files
            pass
    entries = _validated(files)
    return Catalog(entries)


def load_index(paths: Iterable[Path | str] | None = None) -> list[dict[str, Any]]:
    """The validated catalog as plain data, without importing pydantic on a cache hit:
    one ``{"file", "content_hash", "bundle"}`` per file, ``bundle`` being the validated
    bundle as JSON data (``Bundle.model_dump(mode="json")``)."""
    files = bundle_files(paths)
    cached = _cached(files)
    if cached is None:
        entries = _validated(files)
        cached = [_cache_entry(e) for e in entries]
    return [{**e, "file": label} for e, label in zip(cached, map(_display, files))]


def _validated(files: list[Path]) -> list[CatalogEntry]:
    entries, problems = check(files, audit=False)  # the logic audit is for `bundles check` and publishing
    if problems:
        raise CatalogError(problems)
    _store(files, [_cache_entry(e) for e in entries])
    return entries


# -- the cache ------------------------------------------------------------------------------

CACHE_FORMAT = 1
# The schema's own source: a change to the rules invalidates what they once accepted.
_SCHEMA_FILES = ("hall_app/domain/bundle.py", "hall_app/domain/conditions.py", "bundles/loader.py",
                 "hall_app/domain/dictionary.py", "bundles/dictionary/materials.toml",
                 "bundles/dictionary/fields.toml")
_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """``$HALL_CACHE_DIR``, else the user cache directory (``~/.cache/hall-app`` on Linux)."""
    if os.environ.get("HALL_CACHE_DIR"):
        return Path(os.environ["HALL_CACHE_DIR"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("hall-app", appauthor=False))


def _cache_entry(entry: CatalogEntry) -> dict[str, Any]:
    return {"content_hash": entry.content_hash, "bundle": entry.bundle.model_dump(mode="json")}


def _key(files: list[Path]) -> tuple[Path, str] | None:
    """(cache file, content key) for these files; None when a file cannot be read."""
    h = hashlib.sha256(f"{CACHE_FORMAT}:{sys.version_info[:2]}".encode())
    where = hashlib.sha256()
    try:
        for rel in _SCHEMA_FILES:
            h.update((_ROOT / rel).read_bytes())
        for path in files:
            name = str(path.resolve())
            where.update(name.encode() + b"\0")
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None  # let the full check name the unreadable file
    return cache_dir() / "catalog" / f"{where.hexdigest()[:16]}.json", h.hexdigest()


def _cached(files: list[Path]) -> list[dict[str, Any]] | None:
    found = _key(files)
    if found is None:
        return None
    path, key = found
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        entries = doc["entries"]
        if (doc.get("key") != key or len(entries) != len(files)
                or doc.get("digest") != _digest(entries)):
            return None
        return entries
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _digest(entries: list[dict[str, Any]]) -> str:
    raw = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def _store(files: list[Path], entries: list[dict[str, Any]]) -> None:
    found = _key(files)
    if found is None:
        return
    path, key = found
    doc = {"format": CACHE_FORMAT, "key": key, "digest": _digest(entries), "entries": entries}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalog-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)  # readers see the old file or the new one, never half of one
    except OSError:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except (OSError, NameError):
            pass
