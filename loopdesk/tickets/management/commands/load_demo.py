"""Load the demo into an empty database and print the demo logins."""

import time

from django.core.management.base import BaseCommand

from loopdesk.tickets import demo


class Command(BaseCommand):
    help = "Load realistic demo data (users for every role, customers, tickets in every state)."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has data")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--tickets", type=int, default=400)
        parser.add_argument("--customers", type=int, default=300)

    def handle(self, *args, **options):
        if not demo.is_empty():
            if options["if_empty"]:
                self.stdout.write("The database already has data; the demo was not loaded.")
                return
            self.stderr.write("The database is not empty; the demo loads only into an empty database.")
            raise SystemExit(1)
        start = time.perf_counter()
        logins = demo.load_demo(seed=options["seed"], customers=options["customers"], tickets=options["tickets"])
        self.stdout.write(f"Demo loaded in {time.perf_counter() - start:.1f} s. Log in with:")
        self.stdout.write(f"  {'user':<12} {'password':<22} role")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<12} {password:<22} {role}")
