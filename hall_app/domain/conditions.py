"""A small, safe condition language for bundle files (never ``eval``).

Grammar::

    expr     := and_expr ("or" and_expr)*
    and_expr := not_expr ("and" not_expr)*
    not_expr := "not" not_expr | primary
    primary  := "(" expr ")" | "true" | "false"
              | "has" "(" WORD ")"                   -- applicant has this e-licence on file
              | NAME ("=" | "!=") WORD
              | NAME "in" "(" WORD ("," WORD)* ")"

``NAME`` is a question id (ASCII) or ``fact.KEY`` for an applicant fact. ``WORD`` is a
bare word (Chinese allowed) or a quoted string. A comparison with a question not yet
answered is false, whatever the operator: an unknown is never taken as an answer.

Examples::

    both_local = 是
    not has(结婚证) and marital in (已婚, 离异)
    fact.kind = 企业 or (staff = 是 and staff_count != 0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\() | (?P<rp>\)) | (?P<comma>,) | (?P<op>!=|=) |
        (?P<str>"[^"]*"|'[^']*') |
        (?P<word>[^\s()",'=!]+)
    )""",
    re.VERBOSE,
)
_NAME = re.compile(r"^(fact\.)?[A-Za-z_][A-Za-z0-9_]*$")
_KEYWORDS = {"and", "or", "not", "in", "has", "true", "false"}
# Limits: a condition in a bundle file is one line a person wrote. Far beyond any real
# one, well within Python's recursion limit (the parser and evaluate() recurse by level).
MAX_LENGTH = 2000  # characters
MAX_DEPTH = 32  # nested "(" and "not"


class ConditionError(ValueError):
    """A condition that does not parse; the message says where and why."""


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Has:
    elicence: str


@dataclass(frozen=True)
class Compare:
    name: str
    op: str  # "=", "!=", "in"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Not:
    operand: "Node"


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" / "or"
    operands: tuple["Node", ...]


Node = Const | Has | Compare | Not | BoolOp


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"条件过长：{len(text)} 个字符，最多 {MAX_LENGTH} 个，请拆成几个问题或简化条件")
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            bad = len(text) - len(text[pos:].lstrip())  # the character itself, not the space before it
            raise ConditionError(f"无法识别的字符 {text[bad]!r}（位置 {bad + 1}）")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "str":
            value = value[1:-1]
        tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0

    def nested(self) -> None:
        """One level deeper ("(" or "not"); refused past MAX_DEPTH, before Python's own limit."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(f"条件嵌套过深：超过 {MAX_DEPTH} 层括号或 not，请简化条件")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError("条件意外结束")
        self.pos += 1
        return token

    def expect(self, kind: str, what: str) -> str:
        token = self.take()
        if token[0] != kind:
            raise ConditionError(f"此处应为{what}，实为 {token[1]!r}")
        return token[1]

    def is_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and token[1] == word

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("条件为空")
        node = self.expr()
        if (extra := self.peek()) is not None:
            raise ConditionError(f"多余的内容：{extra[1]!r}")
        return node

    def expr(self) -> Node:
        parts = [self.and_expr()]
        while self.is_word("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts))

    def and_expr(self) -> Node:
        parts = [self.not_expr()]
        while self.is_word("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts))

    def not_expr(self) -> Node:
        if self.is_word("not"):
            self.take()
            self.nested()
            node = Not(self.not_expr())
            self.depth -= 1
            return node
        return self.primary()

    def value(self) -> str:
        kind, value = self.take()
        if kind not in ("word", "str"):
            raise ConditionError(f"此处应为取值，实为 {value!r}")
        return value

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "lp":
            self.nested()
            node = self.expr()
            self.expect("rp", "“)”")
            self.depth -= 1
            return node
        if kind != "word":
            raise ConditionError(f"此处应为问题编号或关键字，实为 {value!r}")
        if value in ("true", "false"):
            return Const(value == "true")
        if value == "has":
            self.expect("lp", "“(”")
            name = self.value()
            self.expect("rp", "“)”")
            return Has(name)
        if value in _KEYWORDS or not _NAME.match(value):
            raise ConditionError(f"“{value}”不是合法的问题编号（应为英文字母、数字、下划线）")
        token = self.take()
        if token[0] == "op":
            return Compare(value, token[1], (self.value(),))
        if token == ("word", "in"):
            self.expect("lp", "“(”")
            values = [self.value()]
            while (following := self.peek()) is not None and following[0] == "comma":
                self.take()
                values.append(self.value())
            self.expect("rp", "“)”")
            return Compare(value, "in", tuple(values))
        raise ConditionError(f"“{value}”之后应为 =、!= 或 in")


def parse(text: str) -> Node:
    return _Parser(text).parse()


def evaluate(
    node: Node,
    answers: Mapping[str, str],
    facts: Mapping[str, str] | None = None,
    elicences: frozenset[str] | set[str] = frozenset(),
) -> bool:
    facts = facts or {}
    match node:
        case Const(value):
            return value
        case Has(name):
            return name in elicences
        case Compare(name, op, values):
            source = facts if name.startswith("fact.") else answers
            key = name[5:] if name.startswith("fact.") else name
            if key not in source or source[key] in (None, ""):
                return False
            actual = str(source[key])
            if op == "!=":
                return actual != values[0]
            return actual in values
        case Not(operand):
            return not evaluate(operand, answers, facts, elicences)
        case BoolOp("and", operands):
            return all(evaluate(o, answers, facts, elicences) for o in operands)
        case BoolOp(_, operands):
            return any(evaluate(o, answers, facts, elicences) for o in operands)
    raise TypeError(f"not a condition node: {node!r}")


def questions_in(node: Node) -> set[str]:
    """Question ids a condition refers to (facts and e-licences excluded)."""
    match node:
        case Compare(name, _, _):
            return set() if name.startswith("fact.") else {name}
        case Not(operand):
            return questions_in(operand)
        case BoolOp(_, operands):
            return set().union(*(questions_in(o) for o in operands))
    return set()


def compares_in(node: Node) -> list[Compare]:
    match node:
        case Compare():
            return [node]
        case Not(operand):
            return compares_in(operand)
        case BoolOp(_, operands):
            return [c for o in operands for c in compares_in(o)]
    return []
