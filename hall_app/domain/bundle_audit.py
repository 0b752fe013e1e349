"""Checks of a bundle's logic on the planner (上线前审核的试运行): questions nothing
uses, rules that never fire and items no answers reach, found by running the planner
on every combination of answers (and of the e-licences and facts the conditions name),
or on a bounded, seeded sample when there are too many.

Pure: no I/O. ``bundles check`` turns the findings into rejections; ``bundles review
--dry-run`` prints the whole report.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hall_app.domain import conditions as cond
from hall_app.domain.bundle import Bundle
from hall_app.domain.planner import Applicant, Plan, make_plan

MAX_COMBINATIONS = 4096  # plans run per bundle before sampling instead
MAX_APPLICANTS = 64  # mixes of e-licences and facts tried before sampling them
OTHER_FACT = "（其他）"  # a fact value no condition names


@dataclass(frozen=True)
class Finding:
    path: str  # e.g. questions[3], rules[0], items[2]
    reason: str


@dataclass
class DryRun:
    combinations: int = 0
    exhaustive: bool = True
    rules_fired: set[int] = field(default_factory=set)
    items_reached: set[str] = field(default_factory=set)
    materials_asked: set[str] = field(default_factory=set)
    fields_asked: set[str] = field(default_factory=set)
    dead_ends: list[dict[str, str]] = field(default_factory=list)  # answers giving a plan with no items
    fields_saved: list[int] = field(default_factory=list)  # per plan: asked separately − asked once
    exempt_max: int = 0  # most materials e-licences on file can exempt in one plan
    item_counts: list[int] = field(default_factory=list)


def _conditions(bundle: Bundle) -> Iterator[cond.Node]:
    for q in bundle.questions:
        for node in (q.ask_node, q.prefill_node):
            if node is not None:
                yield node
    for entry in [*bundle.items, *bundle.materials, *bundle.fields]:
        if entry.when_node is not None:
            yield entry.when_node
    for rule in bundle.rules:
        yield rule.when_node


def unused_questions(bundle: Bundle) -> list[int]:
    """Indexes of questions no item, rule, material or field condition names, directly
    or through the ask_if of a question that is itself used."""
    used: set[str] = set()
    nodes = [e.when_node for e in [*bundle.items, *bundle.materials, *bundle.fields]] + [
        r.when_node for r in bundle.rules]
    for node in nodes:
        if node is not None:
            used |= cond.questions_in(node)
    for q in reversed(bundle.questions):  # ask_if names earlier questions only
        if q.id in used and q.ask_node is not None:
            used |= cond.questions_in(q.ask_node)
    return [i for i, q in enumerate(bundle.questions) if q.id not in used]


def _elicences(bundle: Bundle) -> list[str]:
    names: set[str] = set()
    for node in _conditions(bundle):
        names |= _has_names(node)
    return sorted(names)


def _has_names(node: cond.Node) -> set[str]:
    match node:
        case cond.Has(name):
            return {name}
        case cond.Not(operand):
            return _has_names(operand)
        case cond.BoolOp(_, operands):
            out: set[str] = set()
            for o in operands:
                out |= _has_names(o)
            return out
    return set()


def _facts(bundle: Bundle) -> dict[str, list[str]]:
    facts: dict[str, set[str]] = {}
    for node in _conditions(bundle):
        for compare in cond.compares_in(node):
            if compare.name.startswith("fact."):
                facts.setdefault(compare.name[5:], set()).update(compare.values)
    return {k: sorted(v) + [OTHER_FACT] for k, v in sorted(facts.items())}


def applicants(bundle: Bundle) -> tuple[list[Applicant], bool]:
    """Every mix of the e-licences and fact values the bundle's conditions name (an
    applicant with none of them among them), or a seeded sample when there are more
    than MAX_APPLICANTS; and whether that is every mix."""
    names = _elicences(bundle)
    facts = _facts(bundle)
    choices: list[tuple[Any, ...]] = [(False, True)] * len(names) + [tuple(v) for v in facts.values()]
    total = 2 ** len(names)
    for values in facts.values():
        total *= len(values)
    mixes: list[tuple[Any, ...]]
    if total <= MAX_APPLICANTS:
        mixes = list(itertools.product(*choices))
    else:  # none held, all held, and a seeded sample of the rest
        rng = random.Random(f"{bundle.code}:applicants")
        mixes = [tuple(c[0] for c in choices), tuple(c[-1] for c in choices)]
        mixes += [tuple(rng.choice(c) for c in choices) for _ in range(MAX_APPLICANTS - 2)]
    out = []
    for mix in mixes:
        held, picked = mix[:len(names)], mix[len(names):]
        elicences = frozenset(n for n, h in zip(names, held) if h)
        known = {k: v for k, v in zip(facts, picked) if v != OTHER_FACT}
        out.append(Applicant(facts=known, elicences=elicences))
    return out, total <= MAX_APPLICANTS


def answer_sets(bundle: Bundle, applicant: Applicant, limit: int) -> Iterator[dict[str, str]]:
    """Every complete set of answers the intake can reach (questions asked in order,
    each ask_if decided on the answers so far), at most ``limit`` of them."""
    questions = bundle.questions

    def walk(index: int, answers: dict[str, str]) -> Iterator[dict[str, str]]:
        if index == len(questions):
            yield dict(answers)
            return
        q = questions[index]
        if q.ask_node is not None and not cond.evaluate(q.ask_node, answers, applicant.facts, applicant.elicences):
            yield from walk(index + 1, answers)
            return
        for option in q.options:
            answers[q.id] = option
            yield from walk(index + 1, answers)
            del answers[q.id]

    return itertools.islice(walk(0, {}), limit)


def _sampled(bundle: Bundle, applicant: Applicant, rng: random.Random) -> dict[str, str]:
    answers: dict[str, str] = {}
    for q in bundle.questions:
        if q.ask_node is None or cond.evaluate(q.ask_node, answers, applicant.facts, applicant.elicences):
            answers[q.id] = rng.choice(q.options)
    return answers


def dry_run(bundle: Bundle, limit: int = MAX_COMBINATIONS) -> DryRun:
    """Run the planner on every reachable combination (or a seeded sample of ``limit``)."""
    result = DryRun()
    people, result.exhaustive = applicants(bundle)
    share = max(1, limit // len(people))
    for applicant in people:
        sets = list(answer_sets(bundle, applicant, share + 1))
        if len(sets) > share:
            result.exhaustive = False
            rng = random.Random(f"{bundle.code}:{len(result.item_counts)}")
            sets = sets[:share // 2] + [_sampled(bundle, applicant, rng) for _ in range(share - share // 2)]
        for answers in sets:
            _record(result, bundle, applicant, make_plan(bundle, answers, applicant))
    return result


def _record(result: DryRun, bundle: Bundle, applicant: Applicant, plan: Plan) -> None:
    result.combinations += 1
    live = dict(plan.answers)
    for index, rule in enumerate(bundle.rules):
        if cond.evaluate(rule.when_node, live, applicant.facts, applicant.elicences):
            result.rules_fired.add(index)
    result.items_reached.update(plan.item_codes())
    result.materials_asked.update(plan.material_codes())
    result.fields_asked.update(f.field.key for f in plan.fields)
    result.item_counts.append(len(plan.items))
    result.fields_saved.append(plan.fields_without_merge - plan.fields_asked)
    # materials an applicant with every e-licence on file would not hand in
    result.exempt_max = max(result.exempt_max, sum(1 for m in plan.materials if m.material.elicence))
    if not plan.items and len(result.dead_ends) < 5:
        result.dead_ends.append(live)


def findings(bundle: Bundle, run: DryRun | None = None) -> list[Finding]:
    """What ``bundles check`` rejects in the bundle's logic."""
    out = [Finding(f"questions[{i}]", f"问题 {bundle.questions[i].id}（{bundle.questions[i].text}）"
                                      "没有被任何事项、规则、材料或字段的条件使用 / question used by no condition")
           for i in unused_questions(bundle)]
    run = run or dry_run(bundle)
    sample = "" if run.exhaustive else f"（在 {run.combinations} 组抽样答案中）"
    for index, rule in enumerate(bundle.rules):
        if index not in run.rules_fired:
            out.append(Finding(f"rules[{index}]", f"规则“{rule.when}”在任何答案组合下都不会生效{sample}，"
                                                  "它增减的事项和材料永远用不上 / rule never fires"))
    for index, item in enumerate(bundle.items):
        if item.code not in run.items_reached:
            out.append(Finding(f"items[{index}]", f"事项 {item.code}（{item.name}）在任何答案组合下都不会进入"
                                                  f"办理清单{sample} / item never reached"))
    for index, material in enumerate(bundle.materials):
        if material.code not in run.materials_asked:
            out.append(Finding(f"materials[{index}]", f"材料 {material.code}（{material.name}）在任何答案组合下"
                                                      f"都不会被要求{sample} / material never asked"))
    if run.dead_ends:
        shown = "，".join(f"{k}={v}" for k, v in run.dead_ends[0].items()) or "（不答任何问题）"
        out.append(Finding("items", f"死路：答案 {shown} 得到的办理清单没有任何事项 / dead end: no items"))
    return out
