"""Review before launch: draft → checked → reviewed → published, recorded with who,
when and a note against the exact content; an edit drops the bundle back; only a
released bundle may go to devices; the dry run shows a reviewer everything in words."""

import shutil
import tomllib
from datetime import UTC, datetime

import pytest

from bundles.loader import CATALOG_DIR, check
from bundles.reviews import read_records
from hall_app.cli import main
from hall_app.services.bundle_review import ReviewRefused, dry_run_text, release, review, statuses, unpublished

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "catalog"
    d.mkdir()
    for code in ("newborn", "public_rental_housing"):
        shutil.copy(CATALOG_DIR / f"{code}.toml", d / f"{code}.toml")
    return d


@pytest.fixture
def reviews(tmp_path):
    return tmp_path / "reviews.toml"


def state(folder, reviews, code):
    found, _ = statuses([folder], reviews)
    return next(f.status for f in found if f.entry.bundle.code == code)


def test_incomplete_is_draft_complete_and_passing_is_checked(folder, reviews):
    assert state(folder, reviews, "public_rental_housing").state == "draft"
    assert state(folder, reviews, "newborn").state == "checked"


def test_the_whole_flow_and_an_edit_dropping_it_back(folder, reviews):
    with pytest.raises(ReviewRefused, match="只有已审核"):
        release("newborn", "李发布", paths=[folder], reviews=reviews)
    record = review("newborn", "王审核（市卫生健康委）", "材料清单已核对", [folder], reviews, now=WHEN)
    assert (record.by, record.at, record.note) == ("王审核（市卫生健康委）", "2026-12-01T09:30:00+00:00",
                                                   "材料清单已核对")
    s = state(folder, reviews, "newborn")
    assert s.state == "reviewed" and "王审核" in s.why
    with pytest.raises(ReviewRefused, match="已审核"):
        review("newborn", "王审核", paths=[folder], reviews=reviews)
    release("newborn", "李发布", "", [folder], reviews)
    assert state(folder, reviews, "newborn").state == "published"
    entries, _ = check([folder])
    assert [e.bundle.code for e, _ in unpublished(entries, reviews)] == ["public_rental_housing"]

    path = folder / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("promised_days = 1", "promised_days = 2", 1),
                    encoding="utf-8")
    s = state(folder, reviews, "newborn")
    assert s.state == "checked" and "审核后已修改" in s.why and s.stale and s.stale.by == "李发布"
    assert any(e.bundle.code == "newborn" for e, _ in unpublished(check([folder])[0], reviews))

    path.write_text(path.read_text(encoding="utf-8").replace('key = "baby_name"', 'key = "baby_nick"'),
                    encoding="utf-8")
    found, unreadable = statuses([folder], reviews)  # a file that does not load is a draft, with its errors
    assert "newborn" not in {f.entry.bundle.code for f in found}
    assert any(p.file.endswith("newborn.toml") and "baby_nick" in p.reason for p in unreadable)
    with pytest.raises(ReviewRefused, match="文件错误"):
        review("newborn", "王审核", paths=[folder], reviews=reviews)
    path.write_text(path.read_text(encoding="utf-8").replace('key = "baby_nick"', 'key = "baby_name"')
                    .replace("promised_days = 1", "promised_days = 30", 1), encoding="utf-8")
    found, unreadable = statuses([folder], reviews)
    assert any(p.path == "items[1]" and "承诺时限（30）" in p.reason for p in unreadable)
    # the records are history: all three are still there, as valid TOML
    assert [r.status for r in read_records(reviews)] == ["reviewed", "published"]
    assert tomllib.loads(reviews.read_text(encoding="utf-8"))["records"][0]["note"] == "材料清单已核对"


def test_a_draft_cannot_be_reviewed_and_a_reviewer_must_be_named(folder, reviews):
    with pytest.raises(ReviewRefused, match="草稿"):
        review("public_rental_housing", "王审核", paths=[folder], reviews=reviews)
    with pytest.raises(ReviewRefused, match="审核人"):
        review("newborn", "  ", paths=[folder], reviews=reviews)
    with pytest.raises(ReviewRefused, match="没有套餐"):
        review("no_such", "王审核", paths=[folder], reviews=reviews)
    assert not reviews.exists()


def test_a_note_with_quotes_and_newlines_survives(folder, reviews):
    review("newborn", "王审核", '意见："随父/随母"\n第二行\\结束', [folder], reviews)
    assert read_records(reviews)[0].note == '意见："随父/随母"\n第二行\\结束'


def test_dry_run_shows_a_reviewer_everything_in_words(folder, reviews):
    text = "\n".join(dry_run_text("newborn", [folder], reviews))
    for part in ("共 7 个事项，涉及 4 个部门", "一、事项",
                 "出生医学证明｜市卫生健康委｜法定 20 个工作日，承诺 1 个工作日",
                 "二、情形问题", "新生儿随父亲还是随母亲落户？ 选项：随父／随母",
                 "三、规则", "不办事项：新生儿户口登记。理由：父母双方均非本市户籍",
                 "四、材料", "电子证照“居民身份证”在库可免交", "五、一表申报字段", "预填自 person.name",
                 "试算 960 组答案（全部组合）", "从未进入清单的事项：无", "七、校验结果：通过", "状态：已校验"):
        assert part in text, part
    assert "[[" not in text and "when =" not in text  # no TOML


def test_dry_run_names_what_check_rejects(folder, reviews):
    path = folder / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('when = "born_locally = 否"',
                                                             'when = "born_locally = 否 and born_locally = 是"'),
                    encoding="utf-8")
    text = "\n".join(dry_run_text("newborn", [folder], reviews))
    assert "从未生效的规则：第2条" in text and "不会生效" in text and "状态：草稿" in text


def test_cli_review_status_and_publish(folder, reviews, capsys):
    base = ["--dir", str(folder), "--reviews", str(reviews)]
    assert main(["bundles", "review", "newborn", *base]) == 2
    assert "--as" in capsys.readouterr().err
    assert main(["bundles", "review", "newborn", "--as", "王审核", "--note", "同意", *base]) == 0
    assert "王审核 审核通过" in capsys.readouterr().out
    assert main(["bundles", "publish", "public_rental_housing", "--as", "李发布", *base]) == 1
    assert "只有已审核的套餐可以发布" in capsys.readouterr().err
    assert main(["bundles", "publish", "newborn", "--as", "李发布", *base]) == 0
    capsys.readouterr()
    assert main(["bundles", "status", *base]) == 0
    out = capsys.readouterr().out
    assert "已发布 newborn" in out.replace("  ", " ") and "共 2 个套餐：草稿 1，已校验 0，已审核 0，已发布 1" in out
    assert main(["bundles", "review", "--dry-run", "newborn", *base]) == 0
    assert "状态：已发布（李发布 于" in capsys.readouterr().out


def test_a_production_hall_offers_only_released_bundles(tmp_path, clock, monkeypatch):
    """bundle_offer = "published": a shipped file is offered for intake only when its exact
    content was reviewed and released; the default (demo) offers every complete bundle."""
    from hall_app.config import Settings
    from hall_app.services.context import HallContext
    from hall_app.services.intake import IntakeError

    reviews = tmp_path / "reviews.toml"
    monkeypatch.setenv("HALL_BUNDLE_REVIEWS", str(reviews))
    demo = HallContext(Settings(db=str(tmp_path / "demo.db")), clock=clock)
    assert demo.catalog.get("newborn") is not None
    hall = HallContext(Settings(db=str(tmp_path / "hall.db"), bundle_offer="published"), clock=clock)
    assert hall.catalog.get("newborn") is None and len(hall.catalog) == 0
    with pytest.raises(IntakeError):
        hall.cases.start("newborn", "zhangli")
    review("newborn", "王审核", reviews=reviews)
    assert hall.catalog_service.reload().get("newborn") is None  # reviewed, not yet released
    release("newborn", "李发布", reviews=reviews)
    assert [b.code for b in hall.catalog_service.reload()] == ["newborn"]
    assert hall.cases.start("newborn", "zhangli").bundle_code == "newborn"


def test_the_dry_run_shows_what_changed_since_the_release(folder, reviews):
    review("newborn", "王审核", paths=[folder], reviews=reviews)
    release("newborn", "李发布", paths=[folder], reviews=reviews)
    assert "八、" not in "\n".join(dry_run_text("newborn", [folder], reviews))  # nothing changed
    path = folder / "newborn.toml"
    text = path.read_text(encoding="utf-8").replace("promised_days = 1", "promised_days = 2", 1)
    path.write_text(text.replace('requirement = "optional"', 'requirement = "required"'), encoding="utf-8")
    shown = "\n".join(dry_run_text("newborn", [folder], reviews))
    assert "八、与已发布内容" in shown
    assert "修改事项“出生医学证明”：承诺时限 1 → 2" in shown
    assert "修改材料“银行卡（缴费用）”：要求 optional → required" in shown
