import os

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from audit.commands import AuditedCommand
from devdata.demo import Demo, seed_all

DEFAULT_DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  (printed; for local demos only)


class Command(AuditedCommand):
    help = (
        "Create (or bring up to date) a small demo partnership: agencies, a user for each "
        "role, and records in every state. Safe to run twice. Refuses when DEBUG is off "
        "unless --force. Passwords come from DEMO_PASSWORD, or a printed default."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (never on a live partnership's database).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a real deployment. Demo data does not "
                "belong there. Use --force only on a throwaway database."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            demo = seed_all(Demo(password=password, log=lambda line: self.stdout.write(line)))

        self.stdout.write(self.style.SUCCESS("Demo partnership ready. Sign in as:"))
        width = max(len(email) for email in demo.users)
        for email, user in demo.users.items():
            where = "whole partnership" if user.partnership_wide else user.agency.name
            self.stdout.write(f"  {email:<{width}}  {user.get_role_display()}, {where}")
        self.stdout.write(f"Password for all of them: {password}")
