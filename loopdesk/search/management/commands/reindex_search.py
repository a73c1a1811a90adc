"""`loopdesk reindex-search`: rebuild every ticket's search document (after a bulk load or an upgrade)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from loopdesk.search.services import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every ticket."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if done % 50000 < 1000 or done == total:
                self.stdout.write(f"{done}/{total}")

        count = rebuild_search_index(progress=progress)
        self.stdout.write(self.style.SUCCESS(f"{count} tickets indexed in {time.monotonic() - started:.1f} s"))
