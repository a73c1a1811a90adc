"""`loopdesk rebuild-stats [--from DATE] [--to DATE]`: recompute the daily statistics after a bulk load."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from loopdesk.reports.services import rebuild_daily_stats


class Command(BaseCommand):
    help = "Recompute the per-day statistics from tickets and events (all days, or --from/--to inclusive)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--from", dest="start", default="")
        parser.add_argument("--to", dest="end", default="")

    def handle(self, *args, start: str, end: str, **options) -> None:
        try:
            bounds = [dt.date.fromisoformat(v) if v else None for v in (start, end)]
        except ValueError as exc:
            raise CommandError(f"Use dates such as 2026-01-31: {exc}") from exc
        began = time.monotonic()
        rows = rebuild_daily_stats(*bounds)
        self.stdout.write(f"{rows} daily rows in {time.monotonic() - began:.1f} s")
