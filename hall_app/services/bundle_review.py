"""Review before launch, as use cases: the status of every bundle file, a reviewer's
dry run, recording a review or a release, and the gate that keeps an unreviewed
bundle away from devices (``hall-app server publish-bundles``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from bundles.loader import BundleProblem, check
from bundles.reviews import append_record, read_records, read_snapshot, write_snapshot
from hall_app.domain.bundle_audit import DryRun, Finding, dry_run, findings
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
    audited: bool = True  # False: only the file checks ran, the planner's audit not yet


# The planner's dry run and what ``bundles check`` finds in it, by content hash: a pure
# function of the content, and the slow part of a check (seconds for the 80 bundles), so
# a screen that lists the bundles again after a review does not run it again.
_AUDITS: dict[str, tuple[DryRun, list[Finding]]] = {}
MAX_AUDITS = 512


def audit(entry: CatalogEntry) -> tuple[DryRun, list[Finding]]:
    found = _AUDITS.get(entry.content_hash)
    if found is None:
        run = dry_run(entry.bundle)
        found = (run, findings(entry.bundle, run))
        if len(_AUDITS) >= MAX_AUDITS:
            _AUDITS.clear()
        _AUDITS[entry.content_hash] = found
    return found


Audited = bool | Literal["known"] | Collection[str]


def _wanted(entry: CatalogEntry, audited: Audited) -> bool:
    if isinstance(audited, bool):
        return audited
    if audited == "known":
        return entry.content_hash in _AUDITS
    return entry.bundle.code in audited or entry.bundle.name in audited


def _checked(paths, audited: Audited) -> tuple[list[CatalogEntry], list[BundleProblem]]:
    """``bundles check`` (the same problems, in the same words), auditing every bundle,
    none, those already audited in this process ("known"), or those whose code or name
    is given."""
    entries, problems = check(paths, audit=False)
    for e in entries:
        b = e.bundle
        if _wanted(e, audited):
            problems += [BundleProblem(e.source_file, f"{b.code} {b.name}", f.path, f.reason)
                         for f in audit(e)[1]]
    return entries, problems


def statuses(paths: Iterable[Path | str] | None = None, reviews: Path | str | None = None,
             audited: Audited = True) -> tuple[list[FileStatus], list[BundleProblem]]:
    """Every loadable bundle with its problems and status, and the problems of files
    that do not load at all (those are drafts that cannot even be read). With
    ``audited=False`` (or "known") only the file checks run for a bundle not audited yet
    (fast): its FileStatus says ``audited=False``, and it may still turn out a draft."""
    entries, problems = _checked(paths, audited)
    records = read_records(reviews)
    by_file: dict[str, list[BundleProblem]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    loaded = {e.source_file for e in entries}

    out = [FileStatus(e, tuple(by_file.get(e.source_file, ())),
                      status_of(e.bundle, e.content_hash, len(by_file.get(e.source_file, ())), records),
                      _wanted(e, audited))
           for e in entries]
    unreadable = [p for p in problems if p.file not in loaded]
    return out, unreadable


def _one(code: str, paths, reviews) -> FileStatus:
    found, unreadable = statuses(paths, reviews, audited={code})
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


def detail(code: str, paths=None, reviews=None) -> tuple[FileStatus, list[str]]:
    """The bundle's status and what its reviewer reads (see :func:`dry_run_text`)."""
    fs = _one(code, paths, reviews)
    bundle = fs.entry.bundle
    run, found = audit(fs.entry)
    problems = [f"{p.path}: {p.reason}" if p.path else p.reason for p in fs.problems]
    lines = reviewer_text(bundle, run, problems if fs.problems else [f.reason for f in found])
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
    return fs, lines


def dry_run_text(code: str, paths=None, reviews=None) -> list[str]:
    """Everything a reviewer reads, in words: items, questions, rules, materials, fields,
    the dry run, the check result, what changed since the release, the status."""
    return detail(code, paths, reviews)[1]


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
