"""Usage errors of every hall-app (sub)command are in Chinese, exit code 2 kept.

argparse wrote them in English ("error: argument --tickets: invalid int value: 'abc'");
hall_app.cli.parser.HallArgumentParser is the one parser class, sub-parsers inherit it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hall_app.cli import build_parser, main
from hall_app.cli.parser import HallArgumentParser, translate

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = re.compile(r"usage:|error:|invalid|required|unrecognized|arguments?\b|choose from|expected|ambiguous")

CASES = [
    (["queue", "simulate", "--tickets", "abc"], "参数 --tickets：'abc' 不是有效的整数"),
    (["queue", "issue"], "缺少必需的参数：line"),
    (["no-such-command"], "没有 'no-such-command' 这一项（可选："),
    (["demo", "--bogus"], "无法识别的参数：--bogus"),
    (["db"], "缺少必需的参数：ACTION"),
    (["rate", "HX-1", "--level"], "参数 --level：需要一个值"),
    (["queue", "appointments", "add", "综合"], "缺少必需的参数：day, slot"),
    (["report", "--month", "2026-11", "--bogus", "值，带中文标点。"], "无法识别的参数：--bogus 值，带中文标点。"),
    (["report"], "须给出以下参数之一：--month --week --from"),
]


@pytest.mark.parametrize(("argv", "said"), CASES, ids=[" ".join(argv) for argv, _ in CASES])
def test_usage_errors_are_chinese_and_exit_2(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法：hall-app"), err
    assert "：错误：" in err and said in err, err
    assert not ENGLISH.search(err.replace("[-h]", "")), err


def test_what_the_user_typed_is_kept() -> None:
    assert translate("unrecognized arguments: 值，带中文标点。") == "无法识别的参数：值，带中文标点。"


def test_our_own_chinese_messages_pass_through() -> None:
    assert translate("参数 --level：等级须为 1–4") == "参数 --level：等级须为 1–4"
    assert translate("argument --level: 等级须为 1–4") == "参数 --level：等级须为 1–4"


def test_every_sub_parser_is_the_hall_parser() -> None:
    def walk(parser):
        yield parser
        for action in parser._actions:
            for child in getattr(action, "choices", None).values() if hasattr(action, "_name_parser_map") else ():
                yield from walk(child)

    parsers = list(walk(build_parser()))
    assert len(parsers) > 50
    assert all(isinstance(p, HallArgumentParser) for p in parsers)
    assert all("用法：" in p.format_usage() for p in parsers)


def test_no_other_argument_parser_is_built_in_the_app() -> None:
    makers = [str(path.relative_to(ROOT)) for path in (ROOT / "hall_app").rglob("*.py")
              if "ArgumentParser(" in path.read_text(encoding="utf-8") and path.name != "parser.py"
              and "HallArgumentParser(" not in path.read_text(encoding="utf-8").replace("argparse.ArgumentParser(", "")]
    assert makers == []
    assert "argparse.ArgumentParser(" not in (ROOT / "hall_app" / "cli" / "__init__.py").read_text(encoding="utf-8")
