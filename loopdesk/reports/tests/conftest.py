import pytest
from django.test import Client

from loopdesk.accounts.models import ApiToken


@pytest.fixture
def api_client():
    """Return a function giving a test client that sends `Authorization: Bearer` for a user, in `language`."""

    def make(user, language="en"):
        _, raw = ApiToken.issue(user, "test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)

    return make


def stat_totals(**filters) -> dict:
    """Every counter summed over the daily rows matching `filters`."""
    from django.db.models import Sum

    from loopdesk.reports.metrics import METRICS
    from loopdesk.reports.models import DailyStat

    sums = DailyStat.objects.filter(**filters).aggregate(**{m: Sum(m) for m in METRICS})
    return {m: n or 0 for m, n in sums.items()}


def stat_rows() -> set[tuple]:
    """The daily rows with anything in them, as comparable tuples."""
    from loopdesk.reports.metrics import METRICS
    from loopdesk.reports.models import DailyStat

    fields = ("day", "category_key", "department_key", *METRICS)
    return {row for row in DailyStat.objects.values_list(*fields) if any(row[3:])}
