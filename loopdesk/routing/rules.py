"""Routing rules as plain values: conditions over ticket facts, checking a rule set, and evaluating it. Pure."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Kind(enum.StrEnum):
    CHOICE = "choice"  # one code out of a known set
    TEXT = "text"  # free text of one field
    KEYWORDS = "keywords"  # title + description
    SET = "set"  # tags
    TIME = "time"  # local time of day, HH:MM-HH:MM
    BOOL = "bool"


class Op(enum.StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "not_in"
    CONTAINS = "contains"
    CONTAINS_ANY = "contains_any"
    CONTAINS_NONE = "contains_none"
    HAS_ANY = "has_any"
    HAS_ALL = "has_all"
    HAS_NONE = "has_none"
    BETWEEN = "between"
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"


OP_LABELS = {
    Op.EQ: "=",
    Op.NE: "≠",
    Op.IN: gettext_lazy("is one of"),
    Op.NOT_IN: gettext_lazy("is none of"),
    Op.CONTAINS: gettext_lazy("contains"),
    Op.CONTAINS_ANY: gettext_lazy("contains any of"),
    Op.CONTAINS_NONE: gettext_lazy("contains none of"),
    Op.HAS_ANY: gettext_lazy("has any of"),
    Op.HAS_ALL: gettext_lazy("has all of"),
    Op.HAS_NONE: gettext_lazy("has none of"),
    Op.BETWEEN: gettext_lazy("is between"),
    Op.IS_TRUE: gettext_lazy("is yes"),
    Op.IS_FALSE: gettext_lazy("is no"),
}

OPS_FOR_KIND: dict[Kind, frozenset[Op]] = {
    Kind.CHOICE: frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN}),
    Kind.TEXT: frozenset({Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.CONTAINS}),
    Kind.KEYWORDS: frozenset({Op.CONTAINS_ANY, Op.CONTAINS_NONE}),
    Kind.SET: frozenset({Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE}),
    Kind.TIME: frozenset({Op.BETWEEN}),
    Kind.BOOL: frozenset({Op.IS_TRUE, Op.IS_FALSE}),
}
VALUELESS = frozenset({Op.IS_TRUE, Op.IS_FALSE})
LIST_OPS = frozenset({Op.IN, Op.NOT_IN, Op.CONTAINS_ANY, Op.CONTAINS_NONE, Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE})

FIELDS: dict[str, tuple[Kind, Any]] = {
    "trigger": (Kind.CHOICE, gettext_lazy("trigger")),
    "category": (Kind.CHOICE, gettext_lazy("category")),
    "priority": (Kind.CHOICE, gettext_lazy("priority")),
    "channel": (Kind.CHOICE, gettext_lazy("channel")),
    "customer_tier": (Kind.CHOICE, gettext_lazy("customer tier")),
    "weekday": (Kind.CHOICE, gettext_lazy("weekday (1 = Monday)")),
    "customer_industry": (Kind.TEXT, gettext_lazy("customer industry")),
    "product": (Kind.TEXT, gettext_lazy("product")),
    "model": (Kind.TEXT, gettext_lazy("model")),
    "text": (Kind.KEYWORDS, gettext_lazy("title and description")),
    "tags": (Kind.SET, gettext_lazy("keywords")),
    "time_of_day": (Kind.TIME, gettext_lazy("time of day")),
    "in_business_hours": (Kind.BOOL, gettext_lazy("within business hours")),
    "involves_staff": (Kind.BOOL, gettext_lazy("involves staff")),
    "is_major_complaint": (Kind.BOOL, gettext_lazy("major complaint")),
    "is_reopened": (Kind.BOOL, gettext_lazy("reopened before")),
}


class Trigger(enum.StrEnum):
    CREATED = "created"
    CLASSIFIED = "classified"
    REOPENED = "reopened"
    UNSATISFIED = "unsatisfied"  # reopened by an unsatisfied survey or callback: second processing


class Strategy(enum.StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"
    SKILLS = "skills"
    PREVIOUS_OWNER = "previous_owner"


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None  # str, list[str] or "HH:MM-HH:MM"; None for valueless operators

    @cached_property
    def check(self) -> Callable[[FactView], bool]:
        """The compiled predicate (built on first use; rules are compiled once per rule-set version)."""
        return compile_condition(self)


@dataclass(frozen=True)
class Actions:
    """What a matching rule does; empty values do nothing."""

    department: str = ""
    owner: str = ""
    strategy: str = ""
    member_role: str = ""
    priority: str = ""
    raise_priority: bool = False
    tags: tuple[str, ...] = ()
    watchers: tuple[str, ...] = ()
    watcher_roles: tuple[str, ...] = ()
    approver_role: str = ""

    def merged(self, later: Actions) -> Actions:
        """Later single values override; lists accumulate (first-seen order, no duplicates)."""

        def pick(a: Any, b: Any) -> Any:
            return b or a

        def union(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(a + b))

        return Actions(
            department=pick(self.department, later.department),
            owner=pick(self.owner, later.owner),
            strategy=pick(self.strategy, later.strategy),
            member_role=pick(self.member_role, later.member_role),
            priority=pick(self.priority, later.priority),
            raise_priority=self.raise_priority or later.raise_priority,
            tags=union(self.tags, later.tags),
            watchers=union(self.watchers, later.watchers),
            watcher_roles=union(self.watcher_roles, later.watcher_roles),
            approver_role=pick(self.approver_role, later.approver_role),
        )

    @property
    def is_empty(self) -> bool:
        return self == Actions()


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    position: int
    conditions: tuple[Condition, ...] = ()
    match_all: bool = True
    actions: Actions = field(default_factory=Actions)
    continues: bool = False
    continue_at: int | None = None  # jump to this rule id instead of the next one


@dataclass(frozen=True)
class Match:
    rule: Rule
    reasons: tuple[Condition, ...]  # the conditions that held (all of them, or the first for "any")


@dataclass(frozen=True)
class Decision:
    matches: tuple[Match, ...]
    actions: Actions

    @property
    def is_default(self) -> bool:
        return not self.matches


# --- evaluating ---------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for part in value.replace("，", ",").split(",") if (v := part.strip())]
    return [str(v).strip() for v in value if str(v).strip()]


def parse_time_range(value: Any) -> tuple[int, int] | None:
    """'HH:MM-HH:MM' as minutes of the day; None when malformed. The range may wrap past midnight."""
    try:
        start, end = str(value).split("-")
        minutes = []
        for part in (start, end):
            hh, mm = part.strip().split(":")
            h, m = int(hh), int(mm)
            if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
                return None
            minutes.append(h * 60 + m)
    except ValueError:
        return None
    return minutes[0], minutes[1]


class FactView:
    """Facts for one evaluation, with each text and tag list case-folded once however many rules look at it."""

    __slots__ = ("_facts", "_sets", "_texts")

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self._facts = facts
        self._texts: dict[str, str] = {}
        self._sets: dict[str, frozenset[str]] = {}

    def get(self, name: str) -> Any:
        return self._facts.get(name)

    def text(self, name: str) -> str:
        folded = self._texts.get(name)
        if folded is None:
            folded = self._texts[name] = str(self._facts.get(name) or "").casefold()
        return folded

    def tags(self, name: str) -> frozenset[str]:
        folded = self._sets.get(name)
        if folded is None:
            folded = self._sets[name] = frozenset(t.casefold() for t in (self._facts.get(name) or ()))
        return folded


def compile_condition(condition: Condition) -> Callable[[FactView], bool]:
    """The condition as a predicate over facts, with its operator and values parsed once."""
    name, op = condition.field, Op(condition.op)
    if op is Op.IS_TRUE:
        return lambda facts: bool(facts.get(name))
    if op is Op.IS_FALSE:
        return lambda facts: not facts.get(name)
    if op is Op.BETWEEN:
        window = parse_time_range(condition.value)
        if window is None:
            return lambda facts: False
        start, end = window

        def between(facts: FactView) -> bool:
            actual = facts.get(name)
            if actual is None:
                return False
            return bool(start <= actual < end if start <= end else actual >= start or actual < end)

        return between
    wanted = frozenset(v.casefold() for v in _as_list(condition.value))
    if op in (Op.HAS_ANY, Op.HAS_ALL, Op.HAS_NONE):

        def tags(facts: FactView) -> bool:
            have = facts.tags(name)
            if op is Op.HAS_ANY:
                return bool(have & wanted)
            return wanted <= have if op is Op.HAS_ALL else not (have & wanted)

        return tags
    words = tuple(wanted)
    if op in (Op.CONTAINS_ANY, Op.CONTAINS_NONE):
        negate = op is Op.CONTAINS_NONE

        def keywords(facts: FactView) -> bool:
            text = facts.text(name)
            return any(w in text for w in words) != negate

        return keywords
    if op is Op.CONTAINS:
        first = _as_list(condition.value)[:1]
        needle = first[0].casefold() if first else None
        return lambda facts: needle is not None and needle in facts.text(name)
    negate = op in (Op.NE, Op.NOT_IN)
    return lambda facts: (facts.text(name) in wanted) != negate


def holds(condition: Condition, facts: Mapping[str, Any] | FactView) -> bool:
    """Whether one condition holds for these ticket facts."""
    return condition.check(facts if isinstance(facts, FactView) else FactView(facts))


class LazyFacts(Mapping[str, Any]):
    """Ticket facts where the costly ones (a query, a calendar) are computed only if a condition asks."""

    def __init__(self, values: Mapping[str, Any], lazy: Mapping[str, Callable[[], Any]]) -> None:
        self._values = dict(values)
        self._lazy = dict(lazy)

    def __getitem__(self, key: str) -> Any:
        if key not in self._values and key in self._lazy:
            self._values[key] = self._lazy.pop(key)()
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self._values), **dict.fromkeys(self._lazy)})

    def __len__(self) -> int:
        return len(self._values) + len(self._lazy)


def rule_match(rule: Rule, facts: Mapping[str, Any] | FactView) -> Match | None:
    """The match and its reasons, or None. A rule without conditions matches everything."""
    if not rule.conditions:
        return Match(rule, ())
    view = facts if isinstance(facts, FactView) else FactView(facts)
    if rule.match_all:
        return Match(rule, rule.conditions) if all(c.check(view) for c in rule.conditions) else None
    held = next((c for c in rule.conditions if c.check(view)), None)
    return Match(rule, (held,)) if held is not None else None


def evaluate(rules: Sequence[Rule], facts: Mapping[str, Any]) -> Decision:
    """Walk the rules in order; the first match wins unless it says continue (to the next or a named rule)."""
    ordered = sorted(rules, key=_order)
    view = FactView(facts)
    matches: list[Match] = []
    actions = Actions()
    seen: set[int] = set()
    i = 0
    while i < len(ordered) and ordered[i].id not in seen:  # `seen` guards rule sets saved before checks
        rule = ordered[i]
        seen.add(rule.id)
        match = rule_match(rule, view)
        if match is None:
            i += 1
            continue
        matches.append(match)
        actions = actions.merged(rule.actions)
        if not rule.continues:
            break
        target = rule.continue_at
        i = next((j for j, r in enumerate(ordered) if r.id == target), i + 1) if target is not None else i + 1
    return Decision(tuple(matches), actions)


def _order(rule: Rule) -> tuple[int, int]:
    return (rule.position, rule.id)


# --- checking a rule set before it is saved -------------------------------------------------------------


def condition_problems(condition: Condition, known: Mapping[str, Iterable[str]]) -> list[str]:
    """What is wrong with one condition: unknown field, operator or value."""
    spec = FIELDS.get(condition.field)
    if spec is None:
        return [_("unknown field “%s”") % condition.field]
    kind, label = spec
    try:
        op = Op(condition.op)
    except ValueError:
        return [_("unknown operator “%(op)s” for %(field)s") % {"op": condition.op, "field": label}]
    if op not in OPS_FOR_KIND[kind]:
        return [_("operator “%(op)s” does not apply to %(field)s") % {"op": OP_LABELS[op], "field": label}]
    if op in VALUELESS:
        return []
    if op is Op.BETWEEN:
        window = parse_time_range(condition.value)
        if window is None:
            return [_("%s: write the time range as HH:MM-HH:MM") % label]
        return [_("%s: the time range is empty") % label] if window[0] == window[1] else []
    values = _as_list(condition.value)
    if not values:
        return [_("%s: a value is required") % label]
    if op in (Op.EQ, Op.NE, Op.CONTAINS) and len(values) > 1:
        return [_("%s: this operator takes one value; use “is one of” for several") % label]
    allowed = known.get(condition.field)
    if kind is Kind.CHOICE and allowed is not None:
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            return [_("%(field)s: unknown value(s) %(values)s") % {"field": label, "values": ", ".join(unknown)}]
    return []


def _allowed_choices(conditions: Iterable[Condition], universe: set[str] | None) -> set[str] | None:
    """Values of a choice/text/bool field that satisfy all the conditions; None means unbounded."""
    allowed = None if universe is None else set(universe)
    banned: set[str] = set()
    for c in conditions:
        op = Op(c.op)
        values = {v.casefold() for v in _as_list(c.value)}
        if op is Op.IS_TRUE or op is Op.IS_FALSE:
            values = {"true" if op is Op.IS_TRUE else "false"}
            op = Op.EQ
        if op in (Op.EQ, Op.IN):
            allowed = values if allowed is None else allowed & values
        elif op in (Op.NE, Op.NOT_IN):
            banned |= values
    return None if allowed is None else allowed - banned


def never_matches(rule: Rule, known: Mapping[str, Iterable[str]]) -> str | None:
    """Why this rule's conditions can never all hold together (match all), or None."""
    if not rule.match_all or not rule.conditions:
        return None
    by_field: dict[str, list[Condition]] = {}
    for c in rule.conditions:
        by_field.setdefault(c.field, []).append(c)
    for name, conditions in by_field.items():
        kind, label = FIELDS[name]
        if kind in (Kind.CHOICE, Kind.TEXT, Kind.BOOL):
            universe = None
            if kind is Kind.BOOL:
                universe = {"true", "false"}
            elif name in known:
                universe = {str(v).casefold() for v in known[name]}
            if _allowed_choices(conditions, universe) == set():
                return str(_("the conditions on %s contradict each other") % label)
        if kind is Kind.SET:
            required = {v.casefold() for c in conditions if c.op == Op.HAS_ALL for v in _as_list(c.value)}
            forbidden = {v.casefold() for c in conditions if c.op == Op.HAS_NONE for v in _as_list(c.value)}
            if required & forbidden:
                return str(_("the conditions on %s contradict each other") % label)
        if kind is Kind.KEYWORDS:
            anys = [{v.casefold() for v in _as_list(c.value)} for c in conditions if c.op == Op.CONTAINS_ANY]
            nones = {v.casefold() for c in conditions if c.op == Op.CONTAINS_NONE for v in _as_list(c.value)}
            if any(all(any(n in w for n in nones) for w in words) for words in anys):
                return str(_("the conditions on %s contradict each other") % label)
    return None


def continue_cycle(rules: Sequence[Rule]) -> list[Rule] | None:
    """A chain of rules that could run forever through "continue at", or None."""
    ordered = sorted(rules, key=lambda r: (r.position, r.id))
    index_of = {r.id: i for i, r in enumerate(ordered)}
    for i, rule in enumerate(ordered):
        if rule.continues and rule.continue_at is not None:
            j = index_of.get(rule.continue_at)
            if j is not None and j <= i:
                return ordered[j : i + 1] + [ordered[j]]
    return None


def ruleset_problems(rules: Sequence[Rule], known: Mapping[str, Iterable[str]]) -> dict[int, list[str]]:
    """Every problem of the active rule set, by rule id; empty when it can go live."""
    problems: dict[int, list[str]] = {}
    ids = {r.id for r in rules}
    ordered = sorted(rules, key=lambda r: (r.position, r.id))
    catch_all: Rule | None = None
    for rule in ordered:
        found = [p for c in rule.conditions for p in condition_problems(c, known)]
        if not found:
            reason = never_matches(rule, known)
            if reason:
                found.append(_("this rule can never match: %s") % reason)
        if catch_all is not None:
            found.append(
                _("this rule can never be reached: rule “%s” before it matches every ticket and stops") % catch_all.name
            )
        if rule.actions.is_empty:
            found.append(_("the rule does nothing: give it at least one action"))
        if rule.continue_at is not None and rule.continue_at not in ids:
            found.append(_("it continues at a rule that is not active"))
        if found:
            problems[rule.id] = found
        if not rule.conditions and not rule.continues and catch_all is None:
            catch_all = rule
    cycle = continue_cycle(ordered)
    if cycle:
        chain = " → ".join(r.name for r in cycle)
        problems.setdefault(cycle[-2].id, []).append(_("the “continue at” chain is circular: %s") % chain)
    return problems


def describe(condition: Condition, labels: Mapping[str, Mapping[str, str]]) -> str:
    """A condition for people: "category = 硬件故障"; `labels` maps field → code → display name."""
    kind, label = FIELDS.get(condition.field, (Kind.TEXT, condition.field))
    op = Op(condition.op)
    if op in VALUELESS:
        return f"{label} {OP_LABELS[op]}"
    names = labels.get(condition.field, {})
    shown = ", ".join(names.get(v, v) for v in _as_list(condition.value)) if op is not Op.BETWEEN else condition.value
    return f"{label} {OP_LABELS[op]} {shown}"


def named_codes(decision: Decision) -> dict[str, set[str]]:
    """The codes `explain` names, per field: what its labels need."""
    codes: dict[str, set[str]] = {}
    for match in decision.matches:
        for condition in match.reasons:
            if Op(condition.op) not in VALUELESS and Op(condition.op) is not Op.BETWEEN:
                codes.setdefault(condition.field, set()).update(_as_list(condition.value))
    return codes


def explain(decision: Decision, labels: dict[str, dict[str, str]]) -> str:
    """One line per matching rule, e.g. routed by rule 12 “硬件故障”: category = 硬件故障; or the default queue."""
    if decision.is_default:
        return _("No rule matched: routed to the default queue.")
    parts = []
    for match in decision.matches:
        reasons = "; ".join(describe(c, labels) for c in match.reasons) or _("matches every ticket")
        parts.append(
            _("routed by rule %(id)d “%(name)s”: %(reasons)s")
            % {"id": match.rule.id, "name": match.rule.name, "reasons": reasons}
        )
    return "\n".join(parts)
