"""Choosing an owner among a department's members by strategy, within each member's cap. Pure."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from loopdesk.routing.rules import Strategy


@dataclass(frozen=True)
class Candidate:
    """One member as the assigner sees them at this moment."""

    user_id: int
    on_duty: bool
    open_count: int  # open tickets owned now
    load: int  # open tickets weighted by priority
    cap: int | None  # most open tickets at once; None = no cap
    last_assigned: float | None = None  # epoch seconds of the last automatic assignment
    categories: frozenset[str] = field(default_factory=frozenset)
    products: frozenset[str] = field(default_factory=frozenset)

    @property
    def has_room(self) -> bool:
        return self.cap is None or self.open_count < self.cap


@dataclass(frozen=True)
class Pick:
    user_id: int | None
    reason: str  # a stable code: round_robin, least_open, skills, skills_fallback, previous_owner, ...


def eligible(candidates: Sequence[Candidate], *, exclude: Collection[int] = ()) -> list[Candidate]:
    """Members on duty, with room under their cap, and not excluded (e.g. they declined this ticket)."""
    return [c for c in candidates if c.on_duty and c.has_room and c.user_id not in exclude]


def _rr_key(c: Candidate) -> tuple[float, int]:
    return (c.last_assigned if c.last_assigned is not None else float("-inf"), c.user_id)


def _least_key(c: Candidate) -> tuple[int, int, float, int]:
    return (c.load, c.open_count, *_rr_key(c))


def skill_score(c: Candidate, *, category: str, product: str) -> int:
    """2 for the ticket's category, 1 for a product line the product name or model contains."""
    text = product.casefold()
    return 2 * (category in c.categories) + any(p.casefold() in text for p in c.products if p)


def choose_owner(
    strategy: str,
    candidates: Sequence[Candidate],
    *,
    exclude: Collection[int] = (),
    category: str = "",
    product: str = "",
    previous_owner: int | None = None,
) -> Pick:
    """The member this strategy picks, or Pick(None, why) when nobody may take the ticket now."""
    pool = eligible(candidates, exclude=exclude)
    if strategy == Strategy.MANUAL:
        return Pick(None, "manual")
    if strategy == Strategy.PREVIOUS_OWNER:
        again = next((c for c in pool if c.user_id == previous_owner), None)
        if again is not None:
            return Pick(again.user_id, "previous_owner")
        strategy = Strategy.LEAST_OPEN  # the previous owner is away or full: the least loaded takes it
    if not pool:
        return Pick(None, "nobody_available")
    if strategy == Strategy.ROUND_ROBIN:
        return Pick(min(pool, key=_rr_key).user_id, "round_robin")
    if strategy == Strategy.SKILLS:
        scored = [(skill_score(c, category=category, product=product), c) for c in pool]
        best = max(score for score, _ in scored)
        if best > 0:
            top = [c for score, c in scored if score == best]
            return Pick(min(top, key=_least_key).user_id, "skills")
        return Pick(min(pool, key=_least_key).user_id, "skills_fallback")
    return Pick(min(pool, key=_least_key).user_id, "least_open")
