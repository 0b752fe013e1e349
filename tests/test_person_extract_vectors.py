"""A person-file extract checked before it is stored (hall_app/domain/person_extract.py),
vector by vector (docs/mutation.md): what passes and how it is kept, and each refusal in
its exact words, naming the field and only the first six digits of the ID."""

from __future__ import annotations

from typing import Any

import pytest

from hall_app.domain.person_extract import ElicenceExtract, PersonExtract, check_extract

GOOD: dict[str, Any] = {"id_number": "11010519491231002X", "name": "王芳"}


def test_a_good_extract_and_its_defaults() -> None:
    extract, problem = check_extract(GOOD)
    assert problem == "" and extract == PersonExtract(
        id_number="11010519491231002X", name="王芳", sex="", birth_date="", phone="", address="", local_hukou=True,
        dishonest=False, elicences=[], updated_at="")
    full = {**GOOD, "sex": "女", "birth_date": "1949-12-31", "phone": "13800000000", "address": "重庆市江津区几江街道",
            "local_hukou": False, "dishonest": True, "updated_at": "2026-11-30",
            "elicences": [{"type": "结婚证", "number": "J1", "issued_by": "民政局", "issued_on": "2000-01-01",
                           "data": {"配偶": "李四"}}]}
    extract, problem = check_extract(full)
    assert problem == "" and extract is not None
    assert extract.model_dump() == {**full, "elicences": [full["elicences"][0]]}
    assert extract.elicences == [ElicenceExtract(type="结婚证", number="J1", issued_by="民政局", issued_on="2000-01-01",
                                                 data={"配偶": "李四"})]


def test_the_id_number_is_kept_as_checked() -> None:
    extract, problem = check_extract({**GOOD, "id_number": "11010519491231002x"})
    assert problem == "" and extract is not None and extract.id_number == "11010519491231002X"


@pytest.mark.parametrize(("data", "problem"), [
    ("nope", "档案摘录格式不对"),
    (None, "档案摘录格式不对"),
    ([GOOD], "档案摘录格式不对"),
    ({**GOOD, "id_number": "110105194912310021"},
     "档案摘录 110105… 的 id_number 不合格：Value error, 身份证号码校验位不符（应为X），请核对是否输错"),
    ({"name": "王芳"}, "档案摘录 … 的 id_number 不合格：Field required"),
    ({**GOOD, "id_number": 5}, "档案摘录 5… 的 id_number 不合格：Input should be a valid string"),
    ({**GOOD, "name": ""}, "档案摘录 110105… 的 name 不合格：String should have at least 1 character"),
    ({**GOOD, "name": "王" * 101}, "档案摘录 110105… 的 name 不合格：String should have at most 100 characters"),
    ({**GOOD, "sex": "男人呀"}, "档案摘录 110105… 的 sex 不合格：String should have at most 2 characters"),
    ({**GOOD, "local_hukou": "yes"}, "档案摘录 110105… 的 local_hukou 不合格：Input should be a valid boolean"),
    ({**GOOD, "colour": "红"}, "档案摘录 110105… 的 colour 不合格：Extra inputs are not permitted"),
    ({**GOOD, "elicences": [{"type": ""}]},
     "档案摘录 110105… 的 elicences.0.type 不合格：String should have at least 1 character"),
    ({**GOOD, "elicences": [{"type": "证", "data": {"k": "x" * 201}}]},
     "档案摘录 110105… 的 elicences.0.data.k 不合格：String should have at most 200 characters"),
    ({**GOOD, "elicences": [{"type": "证"}] * 41},
     "档案摘录 110105… 的 elicences 不合格：List should have at most 40 items after validation, not 41"),
    # the first problem only, in the model's field order
    ({**GOOD, "name": "", "sex": "男人呀"}, "档案摘录 110105… 的 name 不合格：String should have at least 1 character"),
])
def test_refusals_in_words(data: Any, problem: str) -> None:
    assert check_extract(data) == (None, problem)


def test_a_refusal_is_cut_at_300_characters() -> None:
    key = "键" * 400
    extract, problem = check_extract({**GOOD, "elicences": [{"type": "证", "data": {key: "x"}}]})
    assert extract is None and len(problem) == 300
    assert problem == f"档案摘录 110105… 的 elicences.0.data.{key}.[key] 不合格："[:300]
