"""Ticket filters; `visible_to(user)` is the one gate every view, API call and export starts from."""

from __future__ import annotations

from django.db import models

from loopdesk.tickets.workflow import Status

# Not closed; the partial indexes of the inbox carry this condition (migrations hold it as written here).
CLOSED = Status.CLOSED.value
OPEN = ~models.Q(status=CLOSED)


class _Literal(models.Value):
    """A status written into the SQL, not bound as a parameter: PostgreSQL plans a prepared statement once for
    any parameters (a generic plan), and such a plan cannot use a partial index whose condition depends on one."""

    def __init__(self, status: str) -> None:
        if status not in {s.value for s in Status}:
            raise ValueError(status)  # only our own constants go into the SQL
        super().__init__(status, output_field=models.CharField())

    def as_sql(self, compiler, connection):
        return f"'{self.value}'", []


# What queries filter with: the same condition as OPEN, with the constant in the SQL.
OPEN_ROWS = ~models.Q(status=_Literal(CLOSED))

# Work an owner carries: assigned to them and not yet resolved (routing's open-work counts use the same statuses).
# WORK is the partial indexes' condition, WORK_ROWS what queries filter with (the statuses written into the SQL).
WORK_STATUSES = (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.REOPENED)
WORK = models.Q(status__in=[s.value for s in WORK_STATUSES], owner__isnull=False)
WORK_ROWS = models.Q(status__in=[_Literal(s.value) for s in WORK_STATUSES], owner__isnull=False)


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user) -> TicketQuerySet:
        """All tickets for holders of view_all_tickets or members of a service-desk department;
        otherwise tickets they own, registered, or that belong to their department."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.has_perm("tickets.view_all_tickets"):
            return self
        department = user.department
        if department is not None and department.sees_all_tickets:
            return self
        # plain conditions on the row (and a semi-join for watchers) rather than "pk IN (every visible id)",
        # so that a department inbox stays one index range scan filtered row by row
        watched = self.model.watchers.through.objects.filter(user_id=user.pk).values("ticket_id")  # type: ignore[attr-defined]
        q = models.Q(owner=user) | models.Q(created_by=user) | models.Q(pk__in=watched)
        if department is not None:
            q |= models.Q(owner_department=department)
        return self.filter(q)

    def open(self) -> TicketQuerySet:
        return self.filter(OPEN_ROWS)

    def due_before(self, moment) -> TicketQuerySet:
        return self.open().filter(due_at__lt=moment)
