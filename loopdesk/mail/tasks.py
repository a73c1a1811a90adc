"""Thin task adapters for email: the periodic fetch."""

from __future__ import annotations

from django_tasks import task

from loopdesk.mail import imap, services
from loopdesk.scheduling.services import job_lease

LEASE_SECONDS = 300


@task()
def fetch_mail() -> int:
    """Every minute: file messages stored before a crash, then fetch every active mailbox."""
    with job_lease("mail.fetch", ttl_seconds=LEASE_SECONDS) as got:
        if not got:
            return 0
        return services.process_stored() + imap.fetch_all()
