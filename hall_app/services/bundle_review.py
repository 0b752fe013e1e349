"""Review before launch, as use cases: the status of every bundle file, a reviewer's
dry run, recording a review or a release, and the gate that keeps an unreviewed
bundle away from devices (``hall-app server publish-bundles``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bundles.loader import BundleProblem, check
from bundles.reviews import append_record, read_records, read_snapshot, write_snapshot
from hall_app.domain.bundle_audit import dry_run, findings
from hall_app.domain.catalog import CatalogEntry
from hall_app.domain.review import STATE_LABELS, Record, Status, reviewer_text, status_of

MAX_NAME, MAX_NOTE = 60, 500


class ReviewRefused(Exception):
    """The step is not allowed now; the message says why (Chinese)."""


@dataclass(frozen=True)
class FileStatus:
    entry: CatalogEntry
    problems: tuple[BundleProblem, ...]
    status: Status


def statuses(paths: Iterable[Path | str] | None = None, reviews: Path | str | None = None
             ) -> tuple[list[FileStatus], list[BundleProblem]]:
    """Every loadable bundle with its problems and status, and the problems of files
    that do not load at all (those are drafts that cannot even be read)."""
    entries, problems = check(paths)
    records = read_records(reviews)
    by_file: dict[str, list[BundleProblem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    loaded = {e.source_file for e in entries}
    out = [FileStatus(e, tuple(by_file.get(e.source_file, ())),
                      status_of(e.bundle, e.content_hash, len(by_file.get(e.source_file, ())), records))
           for e in entries]
    unreadable = [p for p in problems if p.file not in loaded]
    return out, unreadable


def _one(code: str, paths, reviews) -> FileStatus:
    found, unreadable = statuses(paths, reviews)
    for fs in found:
        if code in (fs.entry.bundle.code, fs.entry.bundle.name):
            return fs
    hint = f"（另有 {len(unreadable)} 处文件错误，先运行 hall-app bundles check）" if unreadable else ""
    raise ReviewRefused(f"没有套餐“{code}”{hint}")


def _who(by: str, note: str) -> tuple[str, str]:
    by, note = (by or "").strip(), (note or "").strip()
    if not by:
        raise ReviewRefused("请用 --as 写明审核人（姓名及部门）")
    if len(by) > MAX_NAME or len(note) > MAX_NOTE:
        raise ReviewRefused(f"审核人最多 {MAX_NAME} 字，意见最多 {MAX_NOTE} 字")
    return by, note


def _now(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def review(code: str, by: str, note: str = "", paths=None, reviews=None, now: datetime | None = None) -> Record:
    """Record that ``by`` reviewed this exact content. Only a checked bundle (complete,
    every check passing) can be reviewed."""
    by, note = _who(by, note)
    fs = _one(code, paths, reviews)
    if fs.status.state == "draft":
        detail = "；".join(str(p) for p in fs.problems[:3])
        raise ReviewRefused(f"“{fs.entry.bundle.name}”是草稿，不能审核：{fs.status.why}"
                            + (f"：{detail}" if detail else ""))
    if fs.status.state in ("reviewed", "published"):
        raise ReviewRefused(f"“{fs.entry.bundle.name}”的当前内容已{STATE_LABELS[fs.status.state]}（{fs.status.why}）")
    b = fs.entry.bundle
    record = Record(b.code, fs.entry.content_hash, b.version, "reviewed", by, _now(now), note)
    append_record(record, reviews)
    return record


def release(code: str, by: str, note: str = "", paths=None, reviews=None, now: datetime | None = None) -> Record:
    """Record the release of a reviewed bundle: from now on publish-bundles may send it."""
    by, note = _who(by, note)
    fs = _one(code, paths, reviews)
    if fs.status.state != "reviewed":
        raise ReviewRefused(f"“{fs.entry.bundle.name}”当前为{STATE_LABELS[fs.status.state]}（{fs.status.why}），"
                            "只有已审核的套餐可以发布")
    b = fs.entry.bundle
    record = Record(b.code, fs.entry.content_hash, b.version, "published", by, _now(now), note)
    append_record(record, reviews)
    write_snapshot(b.code, fs.entry.content_hash, b.model_dump(mode="json"), reviews)
    return record


def dry_run_text(code: str, paths=None, reviews=None) -> list[str]:
    fs = _one(code, paths, reviews)
    bundle = fs.entry.bundle
    run = dry_run(bundle)
    problems = [f"{p.path}: {p.reason}" if p.path else p.reason for p in fs.problems]
    lines = reviewer_text(bundle, run, problems if fs.problems else [f.reason for f in findings(bundle, run)])
    snapshot = read_snapshot(bundle.code, reviews)
    if snapshot is not None and snapshot.get("content_hash") != fs.entry.content_hash:
        from hall_app.domain.bundle_diff import diff

        changes = diff(snapshot["bundle"], bundle)
        lines += ["", f"八、与已发布内容（{snapshot.get('content_hash')}）相比的变化：" + ("" if changes else "无")]
        lines += changes
    s = fs.status
    lines.append(f"状态：{STATE_LABELS[s.state]}（{s.why}）")
    if s.reviewed and s.reviewed.note:
        lines.append(f"审核意见：{s.reviewed.note}")
    return lines


def unpublished(entries: Iterable[CatalogEntry], reviews=None) -> list[tuple[CatalogEntry, str]]:
    """Each entry whose exact content has no recorded release, with a Chinese line
    saying so (empty: all may go to devices)."""
    records = read_records(reviews)
    out = []
    for e in entries:
        s = status_of(e.bundle, e.content_hash, 0, records)
        if s.state != "published":
            out.append((e, f"{e.source_file} [{e.bundle.code} {e.bundle.name}]：当前为{STATE_LABELS[s.state]}"
                           f"（{s.why}），未经审核发布，不能发送到设备"))
    return out
