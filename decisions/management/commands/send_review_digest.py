"""Daily: e-mail each safeguarding lead the decisions that have waited more than two working days."""

from collections import defaultdict

from django.utils import timezone

from audit.commands import AuditedCommand
from decisions import notifications
from decisions.models import Decision
from isa_portal.clocks import working_days_before

WORKING_DAYS = 2


class Command(AuditedCommand):
    help = (
        "E-mail each safeguarding lead the decisions of their agency waiting for review (or an "
        "escalated disagreement) for more than two working days. Run once a working day, e.g. from cron."
    )

    def handle(self, *args, **options) -> None:
        cutoff = working_days_before(timezone.now(), WORKING_DAYS)
        overdue = (
            Decision.objects.waiting_for_review()
            .filter(submitted_at__lt=cutoff)
            .order_by("submitted_at", "id")
        )
        by_agency: dict[int, list[Decision]] = defaultdict(list)
        for decision in overdue:
            by_agency[decision.agency_id].append(decision)
        sent = 0
        for agency_id, decisions in by_agency.items():
            for lead in notifications.leads_of(agency_id):
                waiting = [decision for decision in decisions if decision.created_by_id != lead.pk]
                if waiting:
                    notifications.review_digest(lead, waiting)
                    sent += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {sent} digest(s) about {sum(map(len, by_agency.values()))} decision(s)."
            )
        )
