"""`loopdesk rebuild-stats`: recompute the daily rows, all days or a range; bad dates are refused."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from loopdesk.reports.models import DailyStat
from loopdesk.reports.tests.conftest import stat_totals

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_rebuild_all_days_and_a_range(walk_ticket):
    with time_machine.travel(MONDAY, tick=True):
        walk_ticket("resolved")
    DailyStat.objects.all().delete()
    out = StringIO()

    call_command("rebuild_stats", stdout=out)
    call_command("rebuild_stats", "--from", "2026-03-02", "--to", "2026-03-02", stdout=out)

    assert stat_totals()["opened"] == stat_totals()["resolved"] == 1
    assert "1 daily rows" in out.getvalue()


@pytest.mark.django_db
def test_bad_dates_are_refused():
    with pytest.raises(CommandError):
        call_command("rebuild_stats", "--from", "2026-02-30")
