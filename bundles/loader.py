"""Load and validate bundle files (TOML). All-or-nothing: a catalog with any broken
file does not load, and every error names the file, the bundle, the field path and
the reason."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from hall_app.domain.bundle import Bundle
from hall_app.domain.catalog import Catalog, CatalogEntry

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


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
    name = f"{data.get('code', '?')} {data.get('name', '')}".strip() if isinstance(data, dict) else "?"
    try:
        return Bundle.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            reason = err["msg"].removeprefix("Value error, ")
            path = _loc(tuple(err["loc"]))
            if err["type"] == "value_error" and "；" in reason:
                problems += [BundleProblem(label, name, path, r) for r in reason.split("；")]
            else:
                problems.append(BundleProblem(label, name, path, reason))
        return None, problems


def load_file(path: Path) -> tuple[CatalogEntry | None, list[BundleProblem]]:
    label = _display(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return None, [BundleProblem(label, "?", "", f"无法读取文件：{exc}")]
    except tomllib.TOMLDecodeError as exc:
        return None, [BundleProblem(label, "?", "", f"TOML 格式错误：{exc}")]
    bundle, problems = parse_bundle(data, label)
    if bundle is None:
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


def check(paths: Iterable[Path | str] | None = None) -> tuple[list[CatalogEntry], list[BundleProblem]]:
    entries: list[CatalogEntry] = []
    problems: list[BundleProblem] = []
    for path in bundle_files(paths):
        entry, found = load_file(path)
        problems += found
        if entry:
            entries.append(entry)
    seen_codes: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for entry in entries:
        b = entry.bundle
        for seen, key, label in ((seen_codes, b.code, "编号"), (seen_names, b.name, "名称")):
            if key in seen:
                problems.append(BundleProblem(entry.source_file, f"{b.code} {b.name}", "code" if label == "编号" else "name",
                                              f"套餐{label}“{key}”与 {seen[key]} 重复"))
            seen[key] = entry.source_file
    return entries, problems


def load_catalog(paths: Iterable[Path | str] | None = None) -> Catalog:
    entries, problems = check(paths)
    if problems:
        raise CatalogError(problems)
    return Catalog(entries)
