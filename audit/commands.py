"""A base for management commands that write records: every write names its actor."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.context import audit_context


class AuditedCommand(BaseCommand):
    """Runs ``handle`` inside an audit context naming the command and its actor.

    ``--actor EMAIL`` attributes the writes to a person; without it they are
    attributed to "system (<command name>)".
    """

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--actor",
            metavar="EMAIL",
            help="Email of the user on whose behalf this runs, for the audit trail.",
        )

    def execute(self, *args: Any, **options: Any) -> str | None:
        name = self.__module__.rsplit(".", 1)[-1]
        actor = None
        email = options.get("actor")
        if email:
            try:
                actor = get_user_model().objects.get(email=email.lower(), is_active=True)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No active user has the email address {email}.") from None
        with audit_context(
            source=f"command:{name}", actor=actor, actor_label=f"system ({name})"
        ):
            return super().execute(*args, **options)
