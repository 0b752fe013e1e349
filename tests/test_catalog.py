"""The bundle catalog as a whole: it loads, it covers every bundle the seed documents
name (after merging true duplicates), and citizens' words find the right flagship."""

from __future__ import annotations

import tomllib

import pytest

from bundles.loader import CATALOG_DIR, check, load_catalog

FLAGSHIPS = {
    "newborn": "新生儿出生",
    "primary_school_enrolment": "义务教育阶段小学入学",
    "marriage_childbirth": "公民婚育",
    "company_setup": "企业开办",
    "employee_retirement": "企业职工退休",
    "after_death": "公民身后",
    "second_hand_housing": "二手房交易与水电气联动过户",
    "open_hotpot_restaurant": "我要开火锅店",
}

# 002_…txt: the 2023 Chongqing list, 13 优化提升 + 37 加快实施 (the catalog keeps the names verbatim).
SEED_002 = [
    "新生儿出生", "灵活就业", "公民婚育", "扶残助困", "军人退役", "二手房交易与水电气联动过户",
    "企业职工退休", "公民身后", "企业开办", "涉企不动产登记", "员工录用", "企业准营（餐饮）", "企业简易注销",
    "义务教育阶段小学入学", "义务教育阶段中学入学", "人才引进", "人才创新创业", "大学生创新创业",
    "生育津贴办理", "公租房申请", "公积金贷款个人还款账户变更", "不动产双预告“带押过户”",
    "大学生就业户口迁移", "机动车申请核发检验合格标志", "就医服务", "社会救助", "收养和户口登记",
    "养老服务", "已故人员银行账户信息查询", "企业变更登记（税务信息变更）", "企业变更登记（社保信息变更）",
    "企业变更登记（水路运输经营者相关信息变化备案）", "企业变更登记（证照联办）", "房屋中介准营",
    "车辆租赁准营", "货车准营", "兽药准营", "农药准营", "畜牧养殖准营", "文化娱乐场所准营", "动物诊疗",
    "企业准营（住宿业）", "卷烟销售", "中小企业政策兑现", "建设项目用地预审", "建设项目水影响论证报告审批",
    "工程建设项目涉及市政设施的审批", "小型低风险施工许可", "企业普通注销", "企业注销登记（证照联办）",
]

# Seed name → catalog name, for every other list entry in the seeds. Identity where the name is kept.
SEED_OTHER = {
    # 004 附件1 (Jiangjin, 26)
    "出生一件事": "新生儿出生",
    "结婚登记一件事": "公民婚育",
    "个人购车一件事": "个人购车",
    "我要开办职业中介机构": "我要开办职业中介机构",
    "我要开商场超市（个体户）": "我要开商场超市（个体户）",
    "我要开商场超市": "我要开商场超市",
    "我要开便利店（个体户）": "我要开便利店（个体户）",
    "我要开便利店": "我要开便利店",
    "我要开理发店（个体户）": "我要开理发店（个体户）",
    "我要开理发店": "我要开理发店",
    "我要开健身房": "我要开健身房",
    "我要开花店": "我要开花店",
    "我要开服装店": "我要开服装店",
    "我要开办食品生产加工小作坊（个体户）": "我要开办食品生产加工小作坊（个体户）",
    "我要开办食品生产加工小作坊": "我要开办食品生产加工小作坊",
    "我要开餐馆（个体户）": "我要开餐馆（个体户）",
    "我要开餐馆": "我要开餐馆",
    "我要开饮品店（个体户）": "我要开饮品店（个体户）",
    "我要开饮品店": "我要开饮品店",
    "我要开面馆（个体户）": "我要开面馆（个体户）",
    "我要开面馆": "我要开面馆",
    "我要开火锅店（个体户）": "我要开火锅店（个体户）",
    "我要开火锅店": "我要开火锅店",
    "我要开零售药店": "我要开零售药店",
    "我要开医疗器械经营企业": "我要开医疗器械经营企业",
    "我要开旅行社": "我要开旅行社",
    # 004 附件2 (Jiangjin life cycle, 9)
    "上学一件事（流动人口）": "义务教育阶段小学入学",
    "就业一件事": "就业",
    "结婚一件事": "公民婚育",
    "退休一件事": "企业职工退休",
    "身后一件事": "公民身后",
    "企业开办一件事": "企业开办",
    "员工招聘一件事": "员工录用",
    "企业注销一件事": "企业普通注销",
    # 000 / 001 (news reports) and 003 (2025 tasks)
    "国际贸易一件事": "国际贸易",
    "公租房申请一件事": "公租房申请",
    "入学一件事": "义务教育阶段小学入学",
    "大学生就业服务": "大学生就业服务",
    "教师资格认定(高中及以下)": "教师资格认定（高中及以下）",
    "扶残助困一件事": "扶残助困",
    "社会救助一件事": "社会救助",
    "申请专利、缴纳专利相关费用": "专利申请",
    "政府采购一件事": "政府采购",
}

# Merged seed names whose alias must be findable in the merged bundle's keywords.
MERGED_ALIASES = {
    "newborn": "出生一件事",
    "marriage_childbirth": "结婚一件事",
    "employee_retirement": "退休一件事",
    "after_death": "身后一件事",
    "company_setup": "企业开办一件事",
    "employee_hiring": "员工招聘一件事",
    "general_deregistration": "企业注销一件事",
    "primary_school_enrolment": "上学一件事",
}

DEPARTMENTS = {
    "市市场监管局", "市税务局", "市人力社保局", "市公安局", "市卫生健康委", "市医保局", "市住房城乡建委",
    "市民政局", "市规划自然资源局", "住房公积金管理中心", "市教委", "市农业农村委", "市交通局",
    "市消防救援总队", "市城市管理局", "市文化旅游委", "市财政局", "市残联", "市退役军人事务局",
    "人行重庆营管部", "市商务委", "重庆海关", "市生态环境局", "重庆银保监局", "市知识产权局",
    "重庆水务集团", "国网重庆市电力公司", "重庆燃气集团", "市经济信息委", "市烟草局", "市水利局", "市发展改革委",
}


# The e-licences demo people can hold, and the prefill sources the person/firm file knows.
ELICENCES = {
    "居民身份证", "居民户口簿", "结婚证", "离婚证", "出生医学证明", "分娩记录", "社会保障卡", "营业执照",
    "不动产权证书", "死亡医学证明", "火化证明", "学历证书", "食品经营许可证", "退役军人证", "残疾人证",
    "房屋租赁合同备案",
    # named by the material dictionary for the bundles completed in issue 14
    "机动车销售统一发票", "交强险电子保单", "机动车行驶证", "学位证书", "普通话水平测试等级证书", "就业创业证",
    "职称证书",
}
PREFILL = {
    "person.name", "person.id_number", "person.phone", "person.address", "person.sex", "person.birth_date",
    "firm.name", "firm.uscc", "firm.legal_rep", "firm.address", "firm.phone",
    "elicence:结婚证.spouse_name", "elicence:结婚证.spouse_id_number",
    # the hospital's delivery record, pushed to the data platform (demo: 陈敏)
    "elicence:分娩记录.birth_date", "elicence:分娩记录.baby_sex", "elicence:分娩记录.hospital",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_catalog_loads_without_problems():
    entries, problems = check()
    assert [str(p) for p in problems] == []
    assert len(entries) == len(list(CATALOG_DIR.glob("*.toml")))


def test_at_least_80_bundles(catalog):
    assert len(catalog) >= 80


def test_codes_and_names_unique_and_files_named_by_code(catalog):
    bundles = list(catalog)
    assert len({b.code for b in bundles}) == len(bundles)
    assert len({b.name for b in bundles}) == len(bundles)
    for path in CATALOG_DIR.glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["code"] == path.stem
        assert data["version"] >= 1


def test_every_seed_bundle_is_in_the_catalog(catalog):
    names = {b.name for b in catalog}
    assert len(SEED_002) == 50
    missing = [n for n in SEED_002 if n not in names]
    missing += [f"{seed} → {mapped}" for seed, mapped in SEED_OTHER.items() if mapped not in names]
    assert missing == []


def test_002_lead_departments_and_kinds(catalog):
    by_name = {b.name: b for b in catalog}
    expect = {
        "新生儿出生": ("个人", "市卫生健康委"),
        "军人退役": ("个人", "市退役军人事务局"),
        "企业开办": ("企业", "市市场监管局"),
        "涉企不动产登记": ("企业", "市规划自然资源局"),
        "生育津贴办理": ("个人", "市医保局"),
        "已故人员银行账户信息查询": ("个人", "人行重庆营管部"),
        "企业准营（住宿业）": ("企业", "市公安局"),
        "建设项目水影响论证报告审批": ("企业", "市水利局"),
        "卷烟销售": ("企业", "市烟草局"),
    }
    for name, (kind, lead) in expect.items():
        assert (by_name[name].kind, by_name[name].lead_department) == (kind, lead), name


def test_true_duplicates_are_merged_not_copied(catalog):
    names = {b.name for b in catalog}
    for alias in ("出生一件事", "结婚一件事", "结婚登记一件事", "退休一件事", "身后一件事", "企业开办一件事"):
        assert alias not in names
    for code, alias in MERGED_ALIASES.items():
        bundle = catalog.get(code)
        assert any(alias in k for k in bundle.keywords), (code, alias)
        assert "004_2d45b5337779c72b.txt" in bundle.source, code


def test_business_variants_stay_distinct_and_are_business_kind(catalog):
    by_name = {b.name: b for b in catalog}
    for shop in ("商场超市", "便利店", "理发店", "餐馆", "饮品店", "面馆", "火锅店"):
        firm, individual = by_name[f"我要开{shop}"], by_name[f"我要开{shop}（个体户）"]
        assert firm.code != individual.code
        assert firm.kind == individual.kind == "企业"
    assert by_name["我要开火锅店"].complete


def test_flagships_complete(catalog):
    for code, name in FLAGSHIPS.items():
        bundle = catalog.get(code)
        assert bundle is not None and bundle.name == name and bundle.complete, code
    assert set(FLAGSHIPS) <= {b.code for b in catalog.complete()}


def test_a_complete_bundle_asks_questions_and_explains_its_conditions(catalog):
    """Beyond the flagships, a bundle marked complete has situation questions and a
    reason for every conditional item, rule and material (what the clerk reads out)."""
    for b in catalog.complete():
        assert b.questions, b.code
        for entry in [*b.items, *b.materials]:
            assert entry.when is None or entry.when == "false" or entry.reason, (b.code, entry)
        assert all(rule.reason for rule in b.rules), b.code


def test_complete_bundles_span_two_departments(catalog):
    for bundle in catalog.complete():
        assert len({i.department for i in bundle.items}) >= 2, bundle.code


def test_every_bundle_is_described(catalog):
    for b in catalog:
        assert b.keywords and b.summary and b.life_stage, b.code
        assert ".txt" in b.source, b.code
        assert b.lead_department not in b.cooperating_departments, b.code
        if not b.complete:
            assert b.items, f"{b.code}: even an incomplete bundle lists its known items"
        for item in b.items:
            assert item.promised_days <= item.statutory_days


def test_departments_use_one_vocabulary(catalog):
    used = {d for b in catalog for d in b.departments}
    assert used <= DEPARTMENTS, used - DEPARTMENTS
    assert not any(d[0] == "区" or "江津" in d for d in used)


def test_elicences_and_prefill_use_the_known_vocabulary(catalog):
    """E-licence types: the demo's, plus those the material dictionary declares (the
    dictionary is where a new type is introduced, once)."""
    from bundles.loader import shipped_dictionary

    dictionary, _problems = shipped_dictionary()
    assert dictionary is not None
    known = ELICENCES | {m.elicence for m in dictionary.materials if m.elicence}
    for b in catalog:
        for m in b.materials:
            assert m.elicence is None or m.elicence in known, (b.code, m.code, m.elicence)
        for f in b.fields:
            assert f.prefill is None or f.prefill in PREFILL, (b.code, f.key, f.prefill)


def test_invented_detail_is_declared(catalog):
    for b in catalog.complete():
        assert "自拟" in b.source, b.code


@pytest.mark.parametrize(
    "words, code",
    [
        ("生孩子", "newborn"),
        ("上户口", "newborn"),
        ("开火锅店", "open_hotpot_restaurant"),
        ("退休", "employee_retirement"),
        ("结婚", "marriage_childbirth"),
        ("上学", "primary_school_enrolment"),
        ("开公司", "company_setup"),
        ("买二手房", "second_hand_housing"),
        ("亲人去世", "after_death"),
    ],
)
def test_search_ranks_the_flagship_first(catalog, words, code):
    found = catalog.search(words)
    assert found, words
    assert found[0].bundle.code == code
    assert len(found) == 1 or found[0].score > found[1].score


def test_search_over_the_whole_catalog_finds_incomplete_bundles(catalog):
    found = catalog.search("低保", only_complete=False)
    assert found and found[0].bundle.code == "social_assistance"
    found = catalog.search("开火锅店", only_complete=False)
    assert {s.bundle.code for s in found[:2]} == {"open_hotpot_restaurant", "open_hotpot_restaurant_individual"}


def test_every_bundle_can_be_looked_up_by_its_name(catalog):
    assert [b.name for b in catalog if catalog.get(b.name) is None] == []
    assert catalog.get("我要开火锅店（个体户）").code == "open_hotpot_restaurant_individual"


# -- the validated-catalog cache (hall-app bundles list reads it) ----------------------------

@pytest.fixture
def copied_catalog(tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("HALL_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, folder)
    return folder


def _cache_files(tmp_path):
    return list((tmp_path / "cache" / "catalog").glob("*.json"))


def test_the_cached_catalog_equals_a_fresh_validation(copied_catalog, tmp_path):
    from bundles.loader import load_index

    first = load_catalog([copied_catalog])  # validates the files, writes the cache
    assert len(_cache_files(tmp_path)) == 1
    again = load_catalog([copied_catalog])  # from the cache
    assert [(e.bundle, e.content_hash) for e in map(again.entry, (b.code for b in first))] == \
        [(e.bundle, e.content_hash) for e in map(first.entry, (b.code for b in first))]
    index = {e["bundle"]["code"]: e for e in load_index([copied_catalog])}
    assert index["newborn"]["bundle"] == first.get("newborn").model_dump(mode="json")
    assert index["newborn"]["content_hash"] == first.entry("newborn").content_hash


def test_a_changed_file_is_never_served_stale(copied_catalog):
    from bundles.loader import load_index

    load_index([copied_catalog])
    path = copied_catalog / "newborn.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "新生儿出生"', 'name = "新生儿出生登记"', 1),
                    encoding="utf-8")
    names = {e["bundle"]["code"]: e["bundle"]["name"] for e in load_index([copied_catalog])}
    assert names["newborn"] == "新生儿出生登记"
    assert load_catalog([copied_catalog]).get("newborn").name == "新生儿出生登记"
    # and a file that became invalid is reported, not hidden behind the old cache
    path.write_text('code = "newborn"\n', encoding="utf-8")
    from bundles.loader import CatalogError

    with pytest.raises(CatalogError):
        load_index([copied_catalog])


@pytest.mark.parametrize("damage", ["truncate", "garbage", "tamper"])
def test_a_corrupt_cache_is_ignored_and_rewritten(copied_catalog, tmp_path, damage):
    import json

    from bundles.loader import load_index

    load_index([copied_catalog])
    [cache] = _cache_files(tmp_path)
    raw = cache.read_text(encoding="utf-8")
    if damage == "truncate":
        cache.write_text(raw[: len(raw) // 2], encoding="utf-8")
    elif damage == "garbage":
        cache.write_bytes(b"\x00\xff" * 100)
    else:  # right key, edited entries: the digest no longer matches
        doc = json.loads(raw)
        doc["entries"][0]["bundle"]["name"] = "篡改"
        cache.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    names = [e["bundle"]["name"] for e in load_index([copied_catalog])]
    assert "篡改" not in names and len(names) == len(list(copied_catalog.glob("*.toml")))
    assert json.loads(cache.read_text(encoding="utf-8"))["key"]  # rewritten whole


def test_bundles_list_on_a_warm_cache_imports_neither_pydantic_nor_sqlalchemy(copied_catalog):
    import subprocess
    import sys

    from bundles.loader import load_index

    load_index()  # warm the cache for the shipped catalog
    code = ("import sys, io, contextlib\n"
            "from hall_app.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out: rc = main(['bundles', 'list'])\n"
            "assert rc == 0 and '共 ' in out.getvalue(), out.getvalue()\n"
            "print(sorted(m for m in ('pydantic', 'sqlalchemy', 'tomllib', 'hall_app.domain.bundle') "
            "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
