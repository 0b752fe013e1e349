"""The command line's own words (simplified Chinese): argparse's usage and error text.

argparse writes its messages in English; ``hall_app.cli.parser.HallArgumentParser`` puts
each one it raises through ``ARGPARSE_MESSAGES`` (first match wins). What the user typed
(a value, an option's name) is carried over as it was.
"""

from __future__ import annotations

USAGE_PREFIX = "用法："
ERROR_LINE = "{prog}：错误：{message}\n"
POSITIONALS_TITLE = "位置参数"
OPTIONALS_TITLE = "选项"
HELP_HELP = "显示本帮助并退出"

# The names argparse uses for a ``type=`` that refused a value.
TYPE_NAMES = {"int": "整数", "float": "数字", "Path": "路径"}
OTHER_TYPE = "值"

# argparse's English message (a regular expression over the whole message) -> ours.
ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"argument (?P<argument>.+?): (?P<message>.*)", "参数 {argument}：{message}"),
    (r"unrecognized arguments: (?P<arguments>.*)", "无法识别的参数：{arguments}"),
    (r"the following arguments are required: (?P<arguments>.*)", "缺少必需的参数：{arguments}"),
    (r"invalid (?P<type>\S+) value: (?P<value>.*)", "{value} 不是有效的{type}"),
    (r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)", "没有 {value} 这一项（可选：{choices}）"),
    (r"expected one argument", "需要一个值"),
    (r"expected at most one argument", "最多接受一个值"),
    (r"expected at least one argument", "至少需要一个值"),
    (r"expected (?P<count>\d+) arguments?", "需要 {count} 个值"),
    (r"not allowed with argument (?P<other>.*)", "不能与参数 {other} 同时使用"),
    (r"one of the arguments (?P<arguments>.*) is required", "须给出以下参数之一：{arguments}"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", "选项 {option} 不明确，可能是：{matches}"),
    (r"ignored explicit argument (?P<value>.*)", "此选项不接受值：{value}"),
    (r"unexpected option string: (?P<option>.*)", "意外的选项：{option}"),
    (r"can't open '(?P<filename>.*)': (?P<error>.*)", "无法打开“{filename}”：{error}"),
)
