"""E-mail nominated representatives what needs doing about their agreements. Run daily from cron."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from agreements.models import Agency, Agreement, IcoState, ReminderKind, ReminderSent, SignatureState
from agreements.selectors import RegisterState, register_rows, version_in_force
from audit.commands import AuditedCommand
from isa_portal.web import long_date

ICO_REMINDER_DAYS = 30


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    key: str  # what the reminder is about; a reminder with a key already sent is never sent again
    agency: Agency
    subject: str
    body: str
    cc: tuple[str, ...] = ()  # also told: the administrators, for a lapsed registration


def _review_reminders(today: datetime.date) -> list[Reminder]:
    reminders = []
    for agreement in Agreement.objects.effective().select_related("owner").prefetch_related("versions"):
        version = version_in_force(agreement, today)
        if version is None or version.next_review_date is None:
            continue
        due = version.next_review_date
        days = (due - today).days
        if days < 0:
            kind, when = ReminderKind.REVIEW_OVERDUE, f"was due on {long_date(due)}"
        elif days <= 30:
            kind, when = ReminderKind.REVIEW_30, f"is due on {long_date(due)}, within 30 days"
        elif days <= 90:
            kind, when = ReminderKind.REVIEW_90, f"is due on {long_date(due)}, within 90 days"
        else:
            continue
        reminders.append(
            Reminder(
                kind=kind,
                key=f"{kind}:{version.pk}:{due.isoformat()}",
                agency=agreement.owner,
                subject=f"Review of “{agreement.title}” {'overdue' if days < 0 else 'due'}",
                body=f"The review of “{agreement.title}” (version {version.number}) {when}. "
                f"Your agency owns this agreement: please arrange its review.",
            )
        )
    return reminders


def _compare_url(signature, current) -> str:
    path = reverse("agreements:version_compare", args=[signature.agreement_id])
    return settings.SITE_URL.rstrip("/") + f"{path}?before={signature.version_id}&after={current.pk}"


def _cannot_sign_yet(agency: Agency, today: datetime.date) -> str:
    """What stands in the way of signing (agreements.services.signature_record), said in the reminder."""
    state = agency.ico_state(today)
    if state == IcoState.EXPIRED:
        return (
            f" {agency} cannot sign until its renewed ICO registration is recorded: it expired on "
            f"{long_date(agency.ico_registration_expires_on)}."
        )
    if state == IcoState.MISSING:
        return f" {agency} cannot sign until its ICO registration number and expiry date are recorded."
    return ""


def _signing_reminders(today: datetime.date) -> list[Reminder]:
    """One reminder for each agency and agreement the signatory register counts as still to sign
    (agreements.selectors.StillToSign): never signed, signed an earlier version, or withdrawn. A
    signature lapsed because the ICO registration expired is told once per agency by
    ``_ico_lapsed_reminders``, naming every agreement. Each key names the version in force, so a new
    version asks again, and nothing is asked twice."""
    reminders = []
    for row in register_rows(on=today):
        category, version, signature, agency = row.still_to_sign, row.version, row.signature, row.agency
        if category is None or version is None or row.state == RegisterState.ICO_LAPSED:
            continue
        title = row.agreement.title
        subject = f"Please sign version {version.number} of “{title}”"
        if row.state == RegisterState.NOT_SIGNED:
            key = f"sign:{agency.pk}:{version.pk}"
            body = (
                f"{agency} has not signed “{title}”. Version {version.number} is in force: until your "
                "agency signs it, sharing under it with your agency is not covered."
            )
        elif row.state == RegisterState.WITHDRAWN:
            key = f"withdrawn:{signature.pk}:{version.pk}"
            body = (
                f"{agency} withdrew its signature of “{title}” on {long_date(signature.withdrawn_on)}. "
                f"Sharing under it with your agency is not covered unless it signs version {version.number} "
                "again."
            )
        else:
            key = f"{ReminderKind.RESIGN}:{signature.pk}:{version.pk}"
            body = (
                f"{agency} signed version {signature.version.number} of “{title}”. Version {version.number} "
                "is now in force: your agency needs to sign it to stay covered. See what changed between "
                "the two versions: " + _compare_url(signature, version)
            )
        reminders.append(
            Reminder(
                kind=ReminderKind.RESIGN,
                key=key,
                agency=agency,
                subject=subject,
                body=body + _cannot_sign_yet(agency, today),
            )
        )
    return reminders


def _ico_reminders(today: datetime.date) -> list[Reminder]:
    horizon = today + datetime.timedelta(days=ICO_REMINDER_DAYS)
    agencies = Agency.objects.active().filter(
        ico_registration_expires_on__isnull=False, ico_registration_expires_on__lte=horizon
    )
    reminders = []
    for agency in agencies:
        expires = agency.ico_registration_expires_on
        verb = "expired" if expires < today else "expires"
        reminders.append(
            Reminder(
                kind=ReminderKind.ICO_EXPIRING,
                key=f"{ReminderKind.ICO_EXPIRING}:{agency.pk}:{expires.isoformat()}",
                agency=agency,
                subject=f"ICO registration of {agency} {'expired' if expires < today else 'expiring'}",
                body=f"The ICO registration {agency.ico_registration_number} of {agency} {verb} on "
                f"{long_date(expires)}. Please renew it and tell the partnership.",
            )
        )
    return reminders


def _admin_emails(agency: Agency) -> tuple[str, ...]:
    """The agency's own administrators and the partnership-wide ones."""
    admins = User.objects.filter(is_active=True, role=Role.ADMIN).filter(
        Q(agency=agency) | Q(partnership_wide=True)
    )
    return tuple(sorted(set(admins.values_list("email", flat=True))))


def _ico_lapsed_reminders(today: datetime.date) -> list[Reminder]:
    """Issue 20: when a registration lapses the agency's signatures stop counting as cover
    (agreements.selectors.cover_check); its representative and the administrators are told once."""
    agencies = (
        Agency.objects.active()
        .filter(
            ico_registration_expires_on__isnull=False,
            ico_registration_expires_on__lt=today,
            signatures__state=SignatureState.LIVE,
        )
        .distinct()
    )
    reminders = []
    for agency in agencies:
        expires = agency.ico_registration_expires_on
        titles = sorted({s.agreement.title for s in agency.signatures.live().select_related("agreement")})
        reminders.append(
            Reminder(
                kind=ReminderKind.ICO_EXPIRING,
                key=f"ico_lapsed:{agency.pk}:{expires.isoformat()}",
                agency=agency,
                subject=f"{agency}'s signatures no longer count: ICO registration expired",
                body=f"The ICO registration of {agency} expired on {long_date(expires)}. Until it is "
                "renewed and recorded, its signature of these agreements no longer counts as cover "
                "for sharing with it, and it cannot sign: " + "; ".join(f"“{t}”" for t in titles) + ".",
                cc=_admin_emails(agency),
            )
        )
    return reminders


class Command(AuditedCommand):
    help = (
        "E-mail agencies' nominated representatives about agreement reviews due within 90 or 30 days "
        "or overdue, agreements in force their agency has never signed, signed only in an earlier "
        "version or withdrew from, and ICO registrations expiring within "
        "30 days or expired. For a daily cron: each reminder is recorded (ReminderSent) and never sent "
        "twice. --dry-run prints what would be sent and records nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="Print what would be sent; send nothing.")

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        today = timezone.localdate()
        reminders = (
            _review_reminders(today)
            + _signing_reminders(today)
            + _ico_reminders(today)
            + _ico_lapsed_reminders(today)
        )
        already = set(
            ReminderSent.objects.filter(key__in=[r.key for r in reminders]).values_list("key", flat=True)
        )
        sent = skipped = 0
        for reminder in reminders:
            if reminder.key in already:
                continue
            representative = reminder.agency.current_representative
            if representative is None:
                self.stdout.write(
                    self.style.WARNING(f"No nominated representative to tell: {reminder.subject}")
                )
                skipped += 1
                continue
            if dry_run:
                self.stdout.write(f"Would send to {representative.email}: {reminder.subject}")
                sent += 1
                continue
            with transaction.atomic():
                ReminderSent.objects.create(
                    kind=reminder.kind,
                    key=reminder.key,
                    agency=reminder.agency,
                    recipient=representative.email,
                    subject=reminder.subject[:200],
                )
                EmailMessage(
                    reminder.subject, reminder.body, None, [representative.email], cc=list(reminder.cc)
                ).send()
            self.stdout.write(f"Sent to {representative.email}: {reminder.subject}")
            sent += 1
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            self.style.SUCCESS(f"Reminders {verb}: {sent}; without a representative: {skipped}.")
        )
