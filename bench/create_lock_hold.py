"""How much of a create runs under the department's routing lock (W1's queue on PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/loopdesk_scale python bench/create_lock_hold.py [--runs 30]

Sends creates through Django's test client against a database bench_scale.py loaded, and times each statement:
from the `SELECT ... FROM routing_departmentrouting ... FOR UPDATE` to the last statement before COMMIT, the
lock is held and every other create routed to that department waits."""

from __future__ import annotations

import argparse
import time

import scale_profile as sp  # sets up Django
from django.db import connection
from django.test import Client

from loopdesk.accounts.models import ApiToken, User


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    _, raw = ApiToken.issue(User.objects.get(username="supervisor"), "lock-hold")
    send = sp.requests("create", {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, number="-")
    client = Client()
    log: list[tuple[float, float, str]] = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append((began, time.perf_counter(), sql))

    send(client)  # warm-up
    whole, held, after, total = [], [], [], 0
    for _ in range(args.runs):
        log.clear()
        with connection.execute_wrapper(timed):
            began = time.perf_counter()
            send(client)
            whole.append(time.perf_counter() - began)
        lock = next(t for t, _, sql in log if "routing_departmentrouting" in sql and "FOR UPDATE" in sql)
        held.append(max(end for _, end, _ in log) - lock)
        after.append(sum(1 for t, _, _ in log if t >= lock))
        total = len(log)
    middle = args.runs // 2
    print(
        f"create p50 {sorted(whole)[middle] * 1000:.1f} ms; from the lock to the last statement p50 "
        f"{sorted(held)[middle] * 1000:.1f} ms; {sorted(after)[middle]} of {total} statements after the lock"
    )


if __name__ == "__main__":
    main()
