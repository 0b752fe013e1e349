import pytest

from hall_app.domain.conditions import ConditionError, evaluate, parse, questions_in


@pytest.mark.parametrize(("text", "answers", "elicences", "facts", "expected"), [
    ("a = 是", {"a": "是"}, set(), {}, True),
    ("a = 是", {}, set(), {}, False),
    ("a != 是", {}, set(), {}, False),  # unanswered is never taken as an answer
    ("a != 是", {"a": "否"}, set(), {}, True),
    ("a in (甲, '乙 丙')", {"a": "乙 丙"}, set(), {}, True),
    ("not has(结婚证) and a = 是", {"a": "是"}, {"结婚证"}, {}, False),
    ("has(结婚证) or a = 是", {}, {"结婚证"}, {}, True),
    ("fact.local_hukou = 是 and (a = 是 or b = 否)", {"b": "否"}, set(), {"local_hukou": "是"}, True),
    ("true", {}, set(), {}, True),
    ("not false and not not true", {}, set(), {}, True),
])
def test_evaluate(text, answers, elicences, facts, expected):
    assert evaluate(parse(text), answers, facts, frozenset(elicences)) is expected


@pytest.mark.parametrize("bad", ["", "a =", "a = b c", "中文 = 是", "a == b", "(a = b", "has 结婚证",
                                 "__import__('os') = 1", "a = b; rm"])
def test_bad_conditions_raise_clear_errors(bad):
    with pytest.raises(ConditionError):
        parse(bad)


def test_questions_in():
    assert questions_in(parse("a = 1 and (b != 2 or fact.x = 3) and has(y)")) == {"a", "b"}
