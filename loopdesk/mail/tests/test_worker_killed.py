"""A real worker fetching from Dovecot is killed mid-batch: the next run loses and doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from loopdesk.mail.tests.conftest import mail
from loopdesk.scheduling.tests.test_worker_process import (  # noqa: F401 (fixtures)
    ROOT,
    database,
    environment,
    migrated,
    query,
    start_worker,
    wait_for,
)
from loopdesk.testing import dovecot

pytestmark = pytest.mark.slow
MESSAGES = 150
NEXT_RUN = "from loopdesk.mail import imap, services; services.process_stored(); imap.fetch_all()"


def shell(path, code: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=environment(path),
        check=True,
        capture_output=True,
    )


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(database):  # noqa: F811
    if not dovecot.available():
        if os.environ.get("CI") == "true":
            pytest.fail("dovecot is required in CI (.ci/run installs dovecot-imapd)")
        pytest.skip("dovecot is not installed")
    with dovecot.DovecotServer() as server:
        # given a mailbox with 150 customer messages
        server.append(
            *[
                mail(f"问题 {i}", f"第 {i} 封", sender=f"c{i}@example.cn", message_id=f"<k{i}@example.cn>")
                for i in range(MESSAGES)
            ]
        )
        shell(
            database,
            "from loopdesk.mail.models import Mailbox; Mailbox.objects.create(name='box', host='127.0.0.1', "
            f"port={server.port}, security='none', username='{server.username}', password='{server.password}')",
        )
        # when the worker is killed (SIGKILL, no clean-up) while it is importing
        worker = start_worker(database)
        try:
            started = wait_for(lambda: query(database, "SELECT count(*) FROM mail_inboundmessage")[0][0] >= 10)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=20)
        assert started
        stored_when_killed = query(database, "SELECT count(*) FROM mail_inboundmessage")[0][0]
        assert stored_when_killed < MESSAGES, "the worker finished before it could be killed"
        # and the next run goes over the mailbox
        shell(database, NEXT_RUN)
        # then every message is there once, filed once, and marked read on the server
        rows = query(database, "SELECT uid, state, ticket_id FROM mail_inboundmessage ORDER BY uid")
        assert [uid for uid, _s, _t in rows] == list(range(1, MESSAGES + 1))
        assert {state for _u, state, _t in rows} == {"processed"}
        assert len({ticket for _u, _s, ticket in rows}) == MESSAGES
        assert query(database, "SELECT count(*) FROM tickets_ticket WHERE channel = 'email'") == [(MESSAGES,)]
        assert query(database, "SELECT count(*) FROM tickets_ticketevent WHERE kind = 'created'") == [(MESSAGES,)]
        flags = server.flags()
        assert len(flags) == MESSAGES and all("\\Seen" in f for f in flags.values())
