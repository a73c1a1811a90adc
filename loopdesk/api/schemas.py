"""Input and output schemas of API v1. Inputs forbid unknown fields (R06)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# Keywords are stored up to 40 characters; longer ones are refused rather than cut.
TagName = Annotated[str, Field(min_length=1, max_length=40)]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A response the presenters give as plain values: pydantic validates it in its own code. ninja's Schema
    first wraps every object in a getter that looks up each field in Python: 5-10 ms for a page of 25 tickets."""

    model_config = ConfigDict(from_attributes=True)


class CodeLabelOut(Out):
    code: str
    label: str
    name: str
    name_en: str


class PriorityOut(CodeLabelOut):
    rank: int


class CustomerIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    company: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    address: str = Field("", max_length=300)
    member_no: str = Field("", max_length=64)


class TicketDetailsIn(StrictIn):
    occurred_at: AwareDatetime | None = None
    frequency: str | None = Field(None, max_length=100)
    impact_scope: str | None = Field(None, max_length=255)
    steps: str | None = Field(None, max_length=20000)
    error_text: str | None = Field(None, max_length=20000)
    environment: str | None = Field(None, max_length=255)
    customer_tried: str | None = Field(None, max_length=20000)
    demand: str | None = Field(None, max_length=16)
    demand_detail: str | None = Field(None, max_length=255)
    expected_timeline: str | None = Field(None, max_length=100)


class TicketCreateIn(TicketDetailsIn):
    title: str = Field(min_length=1, max_length=255)
    description: str = Field(min_length=1, max_length=100_000)
    channel: str = Field(max_length=16)
    category: str = Field(max_length=40)
    priority: str = Field(max_length=16)
    customer: CustomerIn
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    received_at: AwareDatetime | None = None
    asset_serial_no: str = Field("", max_length=100)
    order_no: str = Field("", max_length=64)
    involves_staff: bool = False
    is_major_complaint: bool = False


class TicketPatchIn(TicketDetailsIn):
    version: int | None = None


class TransitionIn(StrictIn):
    to: str = Field(max_length=20)
    version: int | None = None
    category: str | None = Field(None, max_length=40)
    priority: str | None = Field(None, max_length=16)
    tags: list[TagName] | None = Field(None, max_length=20)
    owner: str | None = Field(None, max_length=150)
    department: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=20000)
    involves_staff: bool | None = None
    is_major_complaint: bool | None = None
    root_cause: str | None = Field(None, max_length=20000)
    solution: str | None = Field(None, max_length=20000)
    result: str | None = Field(None, max_length=24)
    message: str | None = Field(None, max_length=20000)
    method: str | None = Field(None, max_length=32)
    reason: str | None = Field(None, max_length=2000)


class PriorityIn(StrictIn):
    priority: str = Field(max_length=16)
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = None


class SlaPreviewIn(StrictIn):
    priority: str = Field(max_length=16)
    received_at: AwareDatetime
    category: str = Field("", max_length=40)
    channel: str = Field("", max_length=16)
    customer_tier: str = Field("", max_length=16)
    pauses: list[tuple[AwareDatetime, AwareDatetime]] = Field(default_factory=list, max_length=50)


class SlaPreviewRowOut(Out):
    milestone: str
    label: str
    starts_on: str
    target_minutes: int
    calendar: str
    warn_at: dt.datetime | None
    due_at: dt.datetime | None
    calendar_gap_from: dt.date | None


class SlaPreviewOut(Out):
    policy: SlaPolicyRefOut
    milestones: list[SlaPreviewRowOut]


class ReplyIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)
    is_public: bool = True
    proposes_plan: bool = False


class ProgressIn(StrictIn):
    body: str = Field(min_length=1, max_length=100_000)
    next_step: str = Field("", max_length=2000)


class SatisfactionIn(StrictIn):
    score: int = Field(ge=1, le=5, strict=True)
    timeliness: int | None = Field(None, ge=1, le=5, strict=True)
    attitude: int | None = Field(None, ge=1, le=5, strict=True)
    effectiveness: int | None = Field(None, ge=1, le=5, strict=True)
    comment: str = Field("", max_length=2000)


class CustomerOut(Out):
    public_id: str
    name: str
    phone: str
    email: str
    address: str
    company: str
    industry: str
    member_no: str
    tier: str
    is_masked: bool


class EventOut(Out):
    kind: str
    actor: str | None
    from_status: str
    to_status: str
    body: str
    is_public: bool
    data: dict
    created_at: dt.datetime


class SatisfactionOut(Out):
    score: int
    timeliness: int | None
    attitude: int | None
    effectiveness: int | None
    comment: str
    recorded_by: str | None
    recorded_at: dt.datetime


class SlaBadgeOut(Out):
    tone: str  # ok, warning, breached, paused, unknown, met
    milestone: str
    due_at: dt.datetime | None
    remaining_seconds: int | None  # business seconds left; negative when overdue


class SlaClockOut(Out):
    milestone: str
    label: str
    cycle: int
    state: str
    tone: str
    priority: str
    calendar: str
    target_minutes: int
    started_at: dt.datetime
    warn_at: dt.datetime | None
    due_at: dt.datetime | None
    ended_at: dt.datetime | None
    is_breached: bool
    paused_seconds: int
    remaining_seconds: int | None
    escalation_level: int
    calendar_gap_from: dt.date | None


class SlaPolicyRefOut(Out):
    code: str
    name: str
    revision: int


class TicketOut(Out):
    number: str
    title: str
    description: str
    channel: str
    status: str
    status_label: str
    customer: CustomerOut
    category: str | None
    priority: str | None
    tags: list[str]
    owner: str | None
    owner_department: str | None
    occurred_at: dt.datetime | None
    frequency: str
    impact_scope: str
    steps: str
    error_text: str
    environment: str
    customer_tried: str
    demand: str
    demand_detail: str
    expected_timeline: str
    received_at: dt.datetime
    involves_staff: bool
    is_major_complaint: bool
    approval_role: str
    approved_at: dt.datetime | None
    assigned_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    root_cause: str
    solution: str
    result: str
    resolved_at: dt.datetime | None
    notified_at: dt.datetime | None
    closed_at: dt.datetime | None
    is_archived: bool
    reopen_count: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    sla: SlaBadgeOut | None = None


class TicketDetailOut(TicketOut):
    watchers: list[str]
    sla_policy: SlaPolicyRefOut | None
    sla_clocks: list[SlaClockOut]
    events: list[EventOut]
    satisfactions: list[SatisfactionOut]


class TicketPageOut(Out):
    count: int  # at most 10,000 (then count_is_estimate is true: there are more)
    count_is_estimate: bool
    limit: int
    offset: int
    next_cursor: str | None  # pass back as `cursor` for the next page; null on the last page
    items: list[TicketOut]


class HistoryItemOut(Out):
    number: str
    title: str
    status: str
    received_at: dt.datetime


class LookupItemOut(Out):
    customer: CustomerOut
    tickets: list[HistoryItemOut]


class ErrorDetail(Out):
    code: str
    message: str
    fields: dict
    request_id: str | None


class ErrorOut(Out):
    error: ErrorDetail


class DeclineIn(StrictIn):
    reason: str = Field(min_length=1, max_length=2000)


class EscalateIn(StrictIn):
    to_role: str = Field(max_length=32)
    reason: str = Field(min_length=1, max_length=2000)
    cause: Literal["manual", "kb_no_answer"] = "manual"


class ApproveIn(StrictIn):
    note: str = Field("", max_length=2000)


class RoutingDraftIn(StrictIn):
    title: str = Field("", max_length=255)
    description: str = Field("", max_length=100_000)
    channel: str = Field("phone", max_length=16)
    category: str = Field("", max_length=40)
    priority: str = Field("", max_length=16)
    customer_tier: str = Field("standard", max_length=16)
    customer_industry: str = Field("", max_length=100)
    product: str = Field("", max_length=200)
    model: str = Field("", max_length=100)
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    involves_staff: bool = False
    is_major_complaint: bool = False
    received_at: AwareDatetime | None = None
    trigger: str = Field("created", max_length=16)
    include_inactive: bool = False


class RoutingMatchOut(Out):
    rule_id: int
    name: str
    reasons: list[str]


class RoutingDryRunOut(Out):
    matches: list[RoutingMatchOut]
    default_queue: bool
    explanation: str
    department: str | None
    strategy: str
    member_role: str
    would_assign_to: str | None
    assignment_reason: str
    priority: str | None
    tags: list[str]
    watchers: list[str]
    approver_role: str


class MemberLoadOut(Out):
    username: str
    display_name: str
    on_duty: bool
    is_away: bool
    cap: int | None
    open_count: int
    by_priority: dict[str, int]
    oldest_waiting: dt.datetime | None


class WorkloadOut(Out):
    department: str
    strategy: str
    queue: int
    members: list[MemberLoadOut]
