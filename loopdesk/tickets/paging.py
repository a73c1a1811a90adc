"""Keyset pagination of ticket lists: sort specifications, opaque signed cursors, and one page after a cursor.

Page 50 by cursor costs what page 1 costs: each page is an index range scan from the last row's sort key,
never an OFFSET that reads and drops the rows before it. A sort whose first key may be NULL (the next SLA
due time, the priority) is read as two segments, non-NULL keys first, then the NULL ones by the later keys,
so that each segment is one ordered index range on both databases (SQLite cannot index NULLS LAST)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from loopdesk.core.errors import ValidationFailed

SALT = "loopdesk.tickets.cursor"


@dataclass(frozen=True)
class SortKey:
    path: str
    descending: bool = False

    def order(self, *, nulls_last: bool = False) -> OrderBy:
        expression = F(self.path)
        if self.descending:
            return expression.desc(nulls_last=True) if nulls_last else expression.desc()
        return expression.asc(nulls_last=True) if nulls_last else expression.asc()


@dataclass(frozen=True)
class SortSpec:
    """An ordering whose last key is unique; if `nullable`, the first key may be NULL and NULLs come last."""

    keys: tuple[SortKey, ...]
    nullable: bool = False

    def ordering(self) -> tuple[OrderBy, ...]:
        first, *rest = self.keys
        return (first.order(nulls_last=self.nullable), *(k.order() for k in rest))


@dataclass(frozen=True)
class Position:
    """Where the previous page ended: the segment (NULL first key or not) and that row's sort values."""

    in_nulls: bool
    values: tuple


def encode_cursor(sort: str, position: Position) -> str:
    return signing.dumps([sort, position.in_nulls, [_dump(v) for v in position.values]], salt=SALT, compress=True)


def decode_cursor(raw: str, sort: str, spec: SortSpec) -> Position:
    """The position in a cursor given out for this sort; ValidationFailed for anything else."""
    try:
        got_sort, in_nulls, values = signing.loads(raw, salt=SALT)
        position = Position(bool(in_nulls), tuple(_load(v) for v in values))
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        raise ValidationFailed(_("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}) from None
    expected = len(spec.keys) - (1 if position.in_nulls else 0)
    if got_sort != sort or len(position.values) != expected or (position.in_nulls and not spec.nullable):
        raise ValidationFailed(_("Invalid cursor."), fields={"cursor": _("This cursor is for another sort order.")})
    return position


def _dump(value: Any) -> list:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _load(item: list) -> Any:
    tag, value = item
    if tag == "t":
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive time in cursor")
        return moment
    if tag == "i" and isinstance(value, int):
        return value
    if tag == "s" and isinstance(value, str):
        return value
    raise ValueError("bad cursor value")


def keyset_page(
    qs: QuerySet, spec: SortSpec, sort: str, position: Position | None, limit: int
) -> tuple[list, str | None]:
    """Up to `limit` rows after `position` (from the start if None), and the cursor of the next page or None."""
    segments = [False, True] if spec.nullable else [False]
    if position is not None and position.in_nulls:
        segments = [True]
    rows: list = []
    for in_nulls in segments:
        keys = spec.keys[1:] if in_nulls else spec.keys
        part = qs
        resumes = position is not None and position.in_nulls == in_nulls
        if resumes:
            part = part.filter(_after(keys, position.values))  # type: ignore[union-attr]
        if spec.nullable and (in_nulls or not resumes):
            # resuming among non-NULL keys, the comparison already excludes NULLs; saying it again would make
            # PostgreSQL multiply in the column's NULL fraction, expect a handful of rows, and sort instead
            part = part.filter(**{f"{spec.keys[0].path}__isnull": in_nulls})
        # the NULL segment is still ordered by the (all-NULL) first key: the same order, and it lets PostgreSQL
        # read the index that starts with it instead of walking the primary key
        rows += list(part.order_by(*(k.order() for k in spec.keys))[: limit + 1 - len(rows)])
        if len(rows) > limit:
            break
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, cursor_after(sort, spec, rows[-1])


def cursor_after(sort: str, spec: SortSpec, row: Any) -> str:
    """The cursor that continues `sort` after `row`."""
    in_nulls = spec.nullable and _value(row, spec.keys[0].path) is None
    keys = spec.keys[1:] if in_nulls else spec.keys
    return encode_cursor(sort, Position(bool(in_nulls), tuple(_value(row, k.path) for k in keys)))


def _after(keys: tuple[SortKey, ...], values: tuple) -> Q | RowAfter:
    """Rows strictly after `values` in the order of `keys`.

    Keys of one direction compare as a row value, `(due_at, id) > (%s, %s)`, which both databases turn into
    one index range with a good row estimate; mixed directions expand to OR terms behind a leading bound."""
    if len({k.descending for k in keys}) == 1:
        return RowAfter(keys, values)
    first = keys[0]
    bound = Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": values[0]})
    after = Q()
    for j, key in enumerate(keys):
        term = Q(**{f"{k.path}": v for k, v in zip(keys[:j], values[:j], strict=True)})
        term &= Q(**{f"{key.path}__{'lt' if key.descending else 'gt'}": values[j]})
        after |= term
    return bound & after


class RowAfter(Func):
    """`(a, b, ...) > (x, y, ...)` (or `<` for descending keys), the values adapted by each column's field."""

    output_field = BooleanField()

    def __init__(self, keys: tuple[SortKey, ...], values: tuple) -> None:
        super().__init__(*(F(k.path) for k in keys))
        self.values, self.operator = values, "<" if keys[0].descending else ">"

    def as_sql(self, compiler, connection, **extra):
        columns, params = [], []
        for expression in self.source_expressions:
            sql, column_params = compiler.compile(expression)
            columns.append(sql)
            params.extend(column_params)
        for expression, value in zip(self.source_expressions, self.values, strict=True):
            params.append(expression.output_field.get_db_prep_value(value, connection, prepared=False))
        placeholders = ", ".join(["%s"] * len(self.values))
        return f"({', '.join(columns)}) {self.operator} ({placeholders})", params


def _value(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = getattr(value, part) if value is not None else None
    return value
