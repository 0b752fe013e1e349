"""The material and field dictionaries (hall_app/domain/dictionary.py) on a tiny hand-made
dictionary, vector by vector (docs/mutation.md): what `resolve_bundle` fills in for each
entry, what the bundle's own words override, and each problem with its path and words.
The shipped dictionary is `test_bundle_checks.py`'s."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from hall_app.domain.dictionary import DICTIONARY_FILES, Dictionary, FieldEntry, MaterialEntry, resolve_bundle

DICT = Dictionary.model_validate({
    "materials": [
        {"code": "id_card", "name": "居民身份证", "category": "身份", "spec": "原件", "elicence": "居民身份证",
         "validity": "有效期内"},
        {"code": "photo", "name": "照片", "category": "其他", "spec": "一寸", "copies": 2},
        {"code": "lease", "name": "租赁合同", "category": "场所", "spec": "盖章", "form": "copy", "copies": 0},
    ],
    "fields": [
        {"key": "name", "label": "姓名", "type": "name", "prefill": "person.name", "prefill_firm": "firm.legal_rep"},
        {"key": "phone", "label": "电话", "type": "mobile", "prefill": "person.phone"},
        {"key": "shape", "label": "类型", "type": "choice", "choices": ["甲", "乙"], "max_length": 10},
        {"key": "note", "label": "备注"},
        {"key": "firm_only", "label": "单位", "prefill_firm": "firm.name"},
    ],
})
MATERIALS = "bundles/dictionary/materials.toml"
FIELDS = "bundles/dictionary/fields.toml"


def resolve(kind: str = "个人", materials: Any = None, fields: Any = None) -> tuple[dict[str, Any], list[Any]]:
    data: dict[str, Any] = {"code": "tiny", "kind": kind}
    if materials is not None:
        data["materials"] = materials
    if fields is not None:
        data["fields"] = fields
    return resolve_bundle(data, DICT)


def test_the_dictionary_files() -> None:
    assert DICTIONARY_FILES == {"materials": MATERIALS, "fields": FIELDS}


@pytest.mark.parametrize(("raw", "expected"), [
    ({"code": "id_card", "items": ["i1"]},
     {"material": "id_card", "name": "居民身份证", "spec": "原件", "form": "original", "elicence": "居民身份证",
      "validity": "有效期内", "code": "id_card", "items": ["i1"]}),
    ({"code": "m1", "material": "photo", "items": ["i1"], "name": "本人照片", "requirement": "deferrable"},
     {"material": "photo", "name": "本人照片", "spec": "一寸", "form": "original", "copies": 2, "code": "m1",
      "items": ["i1"], "requirement": "deferrable"}),
    ({"code": "lease", "items": ["i1"], "form": "original", "copies": 3},
     {"material": "lease", "name": "租赁合同", "spec": "盖章", "form": "original", "copies": 3, "code": "lease",
      "items": ["i1"]}),
    ({"code": "lease", "items": ["i1"]},
     {"material": "lease", "name": "租赁合同", "spec": "盖章", "form": "copy", "copies": 0, "code": "lease",
      "items": ["i1"]}),
])
def test_a_material_is_filled_in_from_the_dictionary(raw: dict[str, Any], expected: dict[str, Any]) -> None:
    data, problems = resolve(materials=[raw])
    assert problems == [] and data["materials"] == [expected]
    assert list(data["materials"][0]) == list(expected)  # the dictionary first, the bundle's words after


def test_a_material_may_not_set_its_e_licence_or_validity() -> None:
    data, problems = resolve(materials=[{"code": "photo", "items": ["i1"], "validity": "三月内", "elicence": "照片"}])
    assert problems == [
        ("materials[0].elicence", f"elicence 由材料字典（{MATERIALS}）决定，套餐文件中不能填写"),
        ("materials[0].validity", f"validity 由材料字典（{MATERIALS}）决定，套餐文件中不能填写"),
    ]
    assert data["materials"] == [{"material": "photo", "name": "照片", "spec": "一寸", "form": "original",
                                  "copies": 2, "code": "photo", "items": ["i1"]}]
    data, problems = resolve(materials=[{"code": "id_card", "items": ["i1"], "elicence": "别的证"}])
    assert data["materials"][0]["elicence"] == "居民身份证" and [p for p, _ in problems] == ["materials[0].elicence"]


def test_a_material_outside_the_dictionary() -> None:
    data, problems = resolve(materials=[
        {"code": "idcard", "items": ["i1"], "elicence": "证", "validity": "久"},
        {"code": "m2", "material": "fotos", "items": ["i1"], "name": "照片"},
        {"code": "rocket", "items": ["i1"]},
    ])
    tail = "；请用字典中的编号（material = \"…\"），或先把它加进字典"
    assert problems == [
        ("materials[0].elicence", f"elicence 由材料字典（{MATERIALS}）决定，套餐文件中不能填写"),
        ("materials[0].validity", f"validity 由材料字典（{MATERIALS}）决定，套餐文件中不能填写"),
        ("materials[0].code", f"材料“idcard”不在材料字典（{MATERIALS}）中（相近的有：id_card）{tail}"),
        ("materials[1].material", f"材料“fotos”不在材料字典（{MATERIALS}）中（相近的有：photo）{tail}"),
        ("materials[2].code", f"材料“rocket”不在材料字典（{MATERIALS}）中{tail}"),
    ]
    assert data["materials"] == [{"code": "idcard", "items": ["i1"]}, {"code": "m2", "items": ["i1"], "name": "照片"},
                                 {"code": "rocket", "items": ["i1"]}]


def test_close_matches_are_three_at_most_best_first() -> None:
    many = Dictionary.model_validate({"materials": [
        {"code": c, "name": "甲", "category": "乙", "spec": "丙"}
        for c in ("photo_a", "photo_b", "photo_c", "photo_d")]})
    _, problems = resolve_bundle({"materials": [{"code": "photo_", "items": ["i1"]}]}, many)
    assert "（相近的有：photo_d、photo_c、photo_b）" in problems[0][1]  # equally close: difflib takes the last


@pytest.mark.parametrize(("raw", "expected"), [
    ("不是表", "不是表"),
    ({"material": 5, "code": "x", "items": ["i1"]}, {"code": "x", "items": ["i1"]}),
    ({"items": ["i1"]}, {"items": ["i1"]}),
])
def test_what_is_not_a_material_table_is_left_for_the_schema(raw: Any, expected: Any) -> None:
    data, problems = resolve(materials=[raw])
    assert data["materials"] == [expected] and problems == []


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("个人", {"key": "name"}, {"key": "name", "label": "姓名", "type": "name", "prefill": "person.name"}),
    ("企业", {"key": "name"}, {"key": "name", "label": "姓名", "type": "name", "prefill": "firm.legal_rep"}),
    ("企业", {"key": "phone"}, {"key": "phone", "label": "电话", "type": "mobile", "prefill": "person.phone"}),
    ("个人", {"key": "firm_only"}, {"key": "firm_only", "label": "单位", "type": "text"}),
    ("企业", {"key": "firm_only"}, {"key": "firm_only", "label": "单位", "type": "text", "prefill": "firm.name"}),
    ("个人", {"key": "name", "prefill": False, "items": ["i1"]}, {"key": "name", "label": "姓名", "type": "name",
                                                                  "items": ["i1"]}),
    ("企业", {"key": "name", "prefill": True}, {"key": "name", "label": "姓名", "type": "name",
                                                "prefill": "firm.legal_rep"}),
    ("个人", {"key": "shape", "label": "企业类型", "required": False},
     {"key": "shape", "label": "企业类型", "type": "choice", "choices": ["甲", "乙"], "max_length": 10,
      "required": False}),
    ("个人", {"key": "shape", "choices": ["丙", "丁"]},
     {"key": "shape", "label": "类型", "type": "choice", "choices": ["丙", "丁"], "max_length": 10}),
    ("个人", {"key": "note", "when": "a = 是", "reason": "因为"},
     {"key": "note", "label": "备注", "type": "text", "when": "a = 是", "reason": "因为"}),
])
def test_a_field_is_filled_in_from_the_dictionary(kind: str, raw: dict[str, Any], expected: dict[str, Any]) -> None:
    data, problems = resolve(kind, fields=[raw])
    assert problems == [] and data["fields"] == [expected]


def test_the_dictionary_s_choices_are_a_copy() -> None:
    data, _ = resolve(fields=[{"key": "shape"}])
    data["fields"][0]["choices"].append("丙")
    assert DICT.field("shape").choices == ["甲", "乙"]  # type: ignore[union-attr]


def test_a_field_may_not_set_what_the_dictionary_sets() -> None:
    data, problems = resolve(fields=[
        {"key": "note", "type": "date", "max_length": 5, "prefill": "person.birth", "choices": ["甲", "乙"]},
    ])
    assert problems == [
        ("fields[0].type", f"type 由字段字典（{FIELDS}）决定，套餐文件中不能填写"),
        ("fields[0].max_length", f"max_length 由字段字典（{FIELDS}）决定，套餐文件中不能填写"),
        ("fields[0].prefill", "预填来源由字段字典决定；套餐文件中只能写 prefill = false（本套餐不预填）"),
        ("fields[0].choices", "字段“note”不是选择型，不能填写 choices"),
    ]
    assert data["fields"] == [{"key": "note", "label": "备注", "type": "text", "choices": ["甲", "乙"]}]
    _, problems = resolve(fields=[{"key": "name", "prefill": "person.name"}, {"key": "name", "prefill": 1}])
    assert [p for p, _ in problems] == ["fields[0].prefill", "fields[1].prefill"]


def test_a_field_outside_the_dictionary() -> None:
    data, problems = resolve(fields=[{"key": "nmae", "type": "text", "prefill": "person.name", "label": "名"},
                                     {"key": "zzz"}])
    tail = "；请用字典中的字段，或先把它加进字典"
    assert problems == [
        ("fields[0].type", f"type 由字段字典（{FIELDS}）决定，套餐文件中不能填写"),
        ("fields[0].key", f"表单字段“nmae”不在字段字典（{FIELDS}）中（相近的有：name）{tail}"),
        ("fields[1].key", f"表单字段“zzz”不在字段字典（{FIELDS}）中{tail}"),
    ]
    assert data["fields"] == [{"key": "nmae", "label": "名"}, {"key": "zzz"}]


@pytest.mark.parametrize(("raw", "expected"), [
    ("不是表", "不是表"),
    ({"label": "无键", "type": "text", "prefill": False}, {"label": "无键"}),
    ({"key": 3, "max_length": 9}, {"key": 3}),
])
def test_what_is_not_a_field_table_is_left_for_the_schema(raw: Any, expected: Any) -> None:
    data, _ = resolve(fields=[raw])
    assert data["fields"] == [expected]


def test_the_bundle_s_other_data_is_kept_and_not_changed() -> None:
    raw = {"code": "tiny", "kind": "个人", "materials": [{"code": "photo", "items": ["i1"]}],
           "fields": [{"key": "note"}], "items": [{"code": "i1"}]}
    data, problems = resolve_bundle(raw, DICT)
    assert problems == [] and data["items"] == [{"code": "i1"}] and data["code"] == "tiny"
    assert raw["materials"] == [{"code": "photo", "items": ["i1"]}] and raw["fields"] == [{"key": "note"}]
    assert resolve_bundle({"materials": "x", "fields": {"a": 1}}, DICT) == ({"materials": "x", "fields": {"a": 1}}, [])
    assert resolve_bundle({}, DICT) == ({}, [])


def test_look_ups_and_the_dictionary_s_own_checks() -> None:
    assert DICT.material("photo").copies == 2 and DICT.material("nope") is None  # type: ignore[union-attr]
    assert DICT.field("note").type == "text" and DICT.field("nope") is None  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="材料编号重复：a；字段编号重复：k"):
        Dictionary.model_validate({
            "materials": [{"code": "a", "name": "甲", "category": "乙", "spec": "丙"}] * 2,
            "fields": [{"key": "k", "label": "甲"}] * 2})
    with pytest.raises(ValidationError, match="选择型字段至少需要两个选项"):
        FieldEntry.model_validate({"key": "k", "label": "甲", "type": "choice", "choices": ["一"]})
    with pytest.raises(ValidationError, match="只有选择型字段（type = \"choice\"）可以有 choices"):
        FieldEntry.model_validate({"key": "k", "label": "甲", "choices": ["一", "二"]})
    with pytest.raises(ValidationError, match="预填来源应为"):
        FieldEntry.model_validate({"key": "k", "label": "甲", "prefill_firm": "company.name"})
    entry = MaterialEntry.model_validate({"code": "a", "name": "甲", "category": "乙", "spec": "丙"})
    assert (entry.validity, entry.elicence, entry.form, entry.copies) == (None, None, "original", 1)
