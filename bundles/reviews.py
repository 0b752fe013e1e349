"""The review records of bundle files (bundles/reviews.toml): append-only, one
``[[records]]`` table per review or release, tied to the content hash it was given for.
See hall_app/domain/review.py for what the records mean and docs/bundles.md for the flow."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

from hall_app.domain.review import Record

REVIEWS_FILE = Path(__file__).resolve().parent / "reviews.toml"
HEADER = ("# Bundle reviews and releases, appended by `hall-app bundles review` and `bundles publish`.\n"
          "# Each record is tied to the content hash it was given for; do not edit by hand.\n")


class ReviewsError(Exception):
    pass


def reviews_file(path: Path | str | None = None) -> Path:
    if path:
        return Path(path)
    return Path(os.environ["HALL_BUNDLE_REVIEWS"]) if os.environ.get("HALL_BUNDLE_REVIEWS") else REVIEWS_FILE


def read_records(path: Path | str | None = None) -> list[Record]:
    file = reviews_file(path)
    if not file.exists():
        return []
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        return [Record(**r) for r in data.get("records", [])]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, TypeError) as exc:
        raise ReviewsError(f"审核记录文件 {file} 无法读取：{exc}") from None


def append_record(record: Record, path: Path | str | None = None) -> Path:
    file = reviews_file(path)
    lines = ["", "[[records]]"]
    for key in ("code", "content_hash", "version", "status", "by", "at", "note"):
        value = getattr(record, key)
        lines.append(f"{key} = {value if isinstance(value, int) else json.dumps(value, ensure_ascii=False)}")
    text = "\n".join(lines) + "\n"
    file.parent.mkdir(parents=True, exist_ok=True)
    new = not file.exists()
    with file.open("a", encoding="utf-8") as fh:
        if new:
            fh.write(HEADER)
        fh.write(text)
    return file


def _snapshot_path(code: str, reviews: Path | str | None) -> Path:
    return reviews_file(reviews).parent / "published" / f"{code}.json"


def write_snapshot(code: str, content_hash: str, data: dict, reviews: Path | str | None = None) -> Path:
    """Keep the content a release was given for (bundles/published/CODE.json), so the next
    review can show what changed since."""
    path = _snapshot_path(code, reviews)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {"code": code, "content_hash": content_hash, "bundle": data}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_snapshot(code: str, reviews: Path | str | None = None) -> dict | None:
    path = _snapshot_path(code, reviews)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return doc if isinstance(doc, dict) and isinstance(doc.get("bundle"), dict) else None
    except (OSError, ValueError):
        return None
