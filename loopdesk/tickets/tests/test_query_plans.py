"""PostgreSQL prepares statements run often and may then plan them once for any parameters (a generic plan).
The inbox's partial indexes must stay usable by such a plan: their condition has to be in the SQL, not a parameter."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import OuterRef
from psycopg.sql import Literal

from loopdesk.accounts.models import Department, User
from loopdesk.routing.selectors import oldest_assignment
from loopdesk.tickets.models import Ticket
from loopdesk.tickets.querysets import OPEN, OPEN_ROWS, WORK_ROWS
from loopdesk.tickets.selectors import InboxFilters, inbox

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements and generic plans"),
]


def generic_plan(queryset) -> str:
    """EXPLAIN of the queryset's statement prepared with its parameters as $1, $2 ... and planned generically."""
    sql, params = queryset.query.sql_with_params()
    for n in range(1, len(params) + 1):
        sql = sql.replace("%s", f"${n}", 1)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned whatever the indexes
        cursor.execute(f"PREPARE inbox_plan AS {sql}")
        try:
            args = ", ".join(Literal(p).as_string(connection.connection) for p in params)
            cursor.execute(f"EXPLAIN EXECUTE inbox_plan({args})" if params else "EXPLAIN EXECUTE inbox_plan")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE inbox_plan")


def test_statements_are_prepared_when_the_server_binds_parameters():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options.get("server_side_binding") is True and options.get("prepare_threshold") == 5


def test_a_generic_plan_of_the_department_inbox_uses_the_open_tickets_index(supervisor, agent):
    support = Department.objects.get(code="support")
    filters = InboxFilters(department=support.code, open_only=True, sort="due")
    assert "ticket_open_dept_due" in generic_plan(inbox(supervisor, filters)[:25])
    # with the constant as a parameter, the same generic plan cannot prove the index's condition
    bound = Ticket.objects.filter(OPEN, owner_department=support).order_by("due_at", "id")[:25]
    assert "ticket_open_dept_due" not in generic_plan(bound)


def test_generic_plans_of_the_workload_page_use_its_partial_indexes():
    """The supervisor's page: waiting work and the unowned queue in order, each member's oldest assignment."""
    support = Department.objects.get(code="support")
    waiting = Ticket.objects.filter(WORK_ROWS, owner_department=support).order_by("assigned_at")[:200]
    assert "ticket_work_dept_assigned" in generic_plan(waiting)
    queue = Ticket.objects.filter(OPEN_ROWS, owner_department=support, owner__isnull=True).order_by("received_at")
    assert "ticket_queue_dept_received" in generic_plan(queue[:200])
    first = oldest_assignment(OuterRef("pk"))
    assert "ticket_work_owner_assigned" in generic_plan(User.objects.filter(pk=support.pk).annotate(oldest=first))
