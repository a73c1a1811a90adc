"""`loopdesk`: the operator's command line (serve, demo, create-token, and every Django command)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

USAGE = """usage: loopdesk COMMAND [ARGS]

  serve                  production web server (gunicorn); honours HOST, PORT, DATABASE_URL, WEB_CONCURRENCY
  demo [--if-empty]      load the demo data into an empty database
  create-token USERNAME  print a new API token for USERNAME (shown once)
  worker [--no-scheduler] background tasks and periodic jobs (SLA sweep, outbox); run one or more
  rebuild-stats [--from D] [--to D]  recompute the daily statistics (after a bulk load)
  reindex-search         rebuild the full-text search index (after a bulk load)
  COMMAND ...            any Django management command: migrate, createsuperuser, check, ...
"""

ALIASES = {
    "demo": "load_demo",
    "create-token": "create_token",
    "worker": "run_worker",
    "rebuild-stats": "rebuild_stats",
    "reindex-search": "reindex_search",
}


def serve() -> None:
    """Run gunicorn in this process with the project's WSGI application."""
    from gunicorn.app.wsgiapp import run

    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    sys.argv = [
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--access-logfile",
        "-",
        "--chdir",
        str(ROOT),
        "config.wsgi:application",
    ]
    run()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    if args[0] == "serve":
        serve()
        return
    from django.core.management import execute_from_command_line

    command = ALIASES.get(args[0], args[0])
    execute_from_command_line(["loopdesk", command, *args[1:]])


if __name__ == "__main__":
    main()
