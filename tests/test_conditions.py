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

