from pathlib import Path

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


# -- limits: a clear message, never a RecursionError ----------------------------------------------
from hall_app.domain.conditions import MAX_DEPTH, MAX_LENGTH  # noqa: E402


@pytest.mark.parametrize("text", [
    "(" * 5000 + "a = 是" + ")" * 5000,
    "not " * 5000 + "a = 是",
    "(not " * 3000 + "a = 是" + ")" * 3000,
])
def test_deep_nesting_is_refused_with_a_message(text):
    with pytest.raises(ConditionError, match="嵌套过深"):
        parse_unbounded(text)


def parse_unbounded(text):
    """The depth limit holds on its own, whatever the length limit says."""
    import hall_app.domain.conditions as cond

    old, cond.MAX_LENGTH = cond.MAX_LENGTH, 10 ** 6
    try:
        return parse(text)
    finally:
        cond.MAX_LENGTH = old


def test_nesting_up_to_the_limit_parses_and_evaluates():
    text = "(" * MAX_DEPTH + "a = 是" + ")" * MAX_DEPTH
    assert evaluate(parse(text), {"a": "是"}) is True
    assert evaluate(parse("not " * MAX_DEPTH + "a = 是"), {"a": "是"}) is (MAX_DEPTH % 2 == 0)
    with pytest.raises(ConditionError, match="嵌套过深"):
        parse("(" * (MAX_DEPTH + 1) + "a = 是" + ")" * (MAX_DEPTH + 1))


def test_a_very_long_condition_is_refused_with_its_length():
    text = " or ".join(f"q{n} = 是" for n in range(400))
    assert len(text) > MAX_LENGTH
    with pytest.raises(ConditionError, match=f"条件过长：{len(text)} 个字符"):
        parse(text)
    with pytest.raises(ConditionError, match="条件过长"):
        parse("(" * 5000 + "a = 是" + ")" * 5000)  # the raw 5,000 deep: refused by length first


def test_a_bundle_file_with_a_deep_condition_gives_a_message_not_a_traceback(tmp_path):
    import subprocess
    import sys

    source = (Path(__file__).resolve().parents[1] / "bundles" / "catalog" / "newborn.toml").read_text("utf-8")
    deep = "(" * 5000 + "both_local = 是" + ")" * 5000
    bad = tmp_path / "newborn.toml"
    bad.write_text(source.replace('when = "', f'when = "{deep} or ', 1), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "hall_app", "bundles", "check", str(bad)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr
    # the bundle schema's length limit (or the parser's) speaks first; the condition is not echoed whole
    assert ("条件过长" in proc.stderr or "文字过长" in proc.stderr) and "when" in proc.stderr
    assert len(proc.stderr) < 2000



# -- exact messages and shapes (each row kills a mutant that survived the rows above) -------------
@pytest.mark.parametrize(("text", "message"), [
    ("", "条件为空"),
    ("   ", "条件为空"),
    ("a =", "条件意外结束"),
    ("a = 是 b", "多余的内容：'b'"),
    ("a = 是 )", "多余的内容：')'"),
    ("a = (", "此处应为取值，实为 '('"),
    ("(a = 是", "条件意外结束"),
    ("(a = 是 b", "此处应为“)”，实为 'b'"),
    ("has 结婚证", "此处应为“(”，实为 '结婚证'"),
    ("has(结婚证", "条件意外结束"),
    ("has(结婚证 x", "此处应为“)”，实为 'x'"),
    ("a in 甲", "此处应为“(”，实为 '甲'"),
    ("a in (甲, 乙 丙)", "此处应为“)”，实为 '丙'"),
    ("= 是", "此处应为问题编号或关键字，实为 '='"),
    ("a 是", "“a”之后应为 =、!= 或 in"),
    ("and = 是", "“and”不是合法的问题编号（应为英文字母、数字、下划线）"),
    ('a = "unclosed', "无法识别的字符 '\"'（位置 5）"),
    ('  a = "x', "无法识别的字符 '\"'（位置 7）"),  # positions count the leading spaces too
])
def test_each_parse_error_says_exactly_what_and_where(text, message):
    with pytest.raises(ConditionError) as error:
        parse(text)
    assert str(error.value) == message


def test_trailing_spaces_are_ignored_and_the_length_limit_is_inclusive():
    from hall_app.domain.conditions import Compare

    assert parse("a = 是   ") == Compare("a", "=", ("是",))
    text = "a = " + "是" * (MAX_LENGTH - 4)
    assert len(text) == MAX_LENGTH and parse(text) == Compare("a", "=", ("是" * (MAX_LENGTH - 4),))


def test_the_tree_a_condition_parses_to():
    from hall_app.domain.conditions import BoolOp, Compare, Const, Has, Not

    a, b, c = (Compare(n, "=", ("1",)) for n in "abc")
    assert parse("a = 1 or b = 1") == BoolOp("or", (a, b))
    assert parse("a = 1 and b = 1") == BoolOp("and", (a, b))
    assert parse("a = 1 and b = 1 and c = 1") == BoolOp("and", (a, b, c))
    assert parse("a = 1 or b = 1 and c = 1") == BoolOp("or", (a, BoolOp("and", (b, c))))
    assert parse("not (a = 1)") == Not(a)
    assert parse("x in (甲, '乙', 丙)") == Compare("x", "in", ("甲", "乙", "丙"))
    assert parse("x != 'a b'") == Compare("x", "!=", ("a b",))
    assert parse("has(结婚证) or false") == BoolOp("or", (Has("结婚证"), Const(False)))


def test_depth_counts_nesting_not_how_many_groups_follow_each_other():
    many = " and ".join(["(a = 1)"] * (MAX_DEPTH + 5))
    assert evaluate(parse(many), {"a": "1"}) is True
    nots = " and ".join(["not a = 2"] * (MAX_DEPTH + 5))
    assert evaluate(parse(nots), {"a": "1"}) is True
    inner = "(" * (MAX_DEPTH - 1) + "a = 1" + ")" * (MAX_DEPTH - 1)
    assert evaluate(parse(f"({inner}) and ({inner})"), {"a": "1"}) is True


def test_facts_reach_every_level_and_an_empty_answer_is_no_answer():
    facts = {"kind": "企业"}
    assert evaluate(parse("not fact.kind = 个人"), {}, facts) is True
    assert evaluate(parse("not fact.kind = 企业"), {}, facts) is False
    assert evaluate(parse("a = 1 or fact.kind = 企业"), {}, facts) is True
    assert evaluate(parse("fact.kind = 企业 and a != 2"), {"a": "1"}, facts) is True
    assert evaluate(parse("a != 是"), {"a": ""}) is False
    assert evaluate(parse("a != 是"), {"a": None}) is False  # type: ignore[dict-item]
    assert evaluate(parse("a in (1, 2)"), {"a": 2}) is True  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"^not a condition node: 'a = 1'$"):
        evaluate("a = 1", {})  # type: ignore[arg-type]


def test_questions_and_comparisons_under_not_and_groups():
    from hall_app.domain.conditions import Compare, compares_in

    node = parse("not a = 1 and (b = 2 or not fact.k = 3) and c in (x, y)")
    assert questions_in(node) == {"a", "b", "c"}
    assert questions_in(parse("not a = 1")) == {"a"}
    assert compares_in(node) == [Compare("a", "=", ("1",)), Compare("b", "=", ("2",)),
                                 Compare("fact.k", "=", ("3",)), Compare("c", "in", ("x", "y"))]
    assert compares_in(parse("not a = 1")) == [Compare("a", "=", ("1",))]
    assert compares_in(parse("true")) == [] and questions_in(parse("has(x)")) == set()


@pytest.mark.parametrize("first", ["not a = 1", "(a = 1)"])
def test_closing_a_not_or_a_group_gives_back_exactly_one_level(first):
    outer = MAX_DEPTH - 1
    deeper = "((b = 1))"  # two levels more than the outer groups: one past the limit
    with pytest.raises(ConditionError, match="嵌套过深"):
        parse("(" * outer + f"{first} and {deeper}" + ")" * outer)
    fits = "(b = 1)"
    assert parse("(" * outer + f"{first} and {fits}" + ")" * outer)
