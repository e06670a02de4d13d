import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from agreements.models import ReminderKind, ReminderSent
from tests.agreements.factories import (
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
)
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def attention(agency):
    """A review due in 45 days, one overdue, one far off; an expired, a missing and a valid registration."""
    RepresentativeFactory(agency=agency, email="rep@home.example.org")
    _, v_soon = in_force_agreement(owner=agency, title="Due Soon Agreement")
    v_soon.next_review_date = days_ago(-45)
    v_soon.save()
    _, v_late = in_force_agreement(owner=agency, title="Overdue Agreement")
    v_late.next_review_date = days_ago(3)
    v_late.save()
    in_force_agreement(owner=agency, title="Fine Agreement")
    agency.ico_registration_number, agency.ico_registration_expires_on = "Z1234567", days_ago(2)
    agency.save()
    AgencyFactory(name="No Registration Ltd")
    AgencyFactory(
        name="Registered Ltd", ico_registration_number="ZA123456", ico_registration_expires_on=days_ago(-300)
    )
    return agency


def test_the_admin_landing_page_flags_reviews_and_registration(client, admin, attention):
    client.force_login(admin)
    page = client.get(reverse("home")).content.decode()
    reviews = page[page.index('id="reviews-due"') : page.index("</table>", page.index('id="reviews-due"'))]
    assert "Due Soon Agreement" in reviews and "Overdue Agreement" in reviews
    assert "Fine Agreement" not in reviews
    assert "Registration expired" in page
    assert "No Registration Ltd" not in page  # an agency admin is shown their own agency's registration


def test_the_partnership_ig_landing_page_flags_every_agency(client, partnership_ig, attention):
    client.force_login(partnership_ig)
    page = client.get(reverse("home")).content.decode()
    assert "Overdue Agreement" in page
    assert "No Registration Ltd" in page and "Registered Ltd" not in page


def test_the_landing_page_says_when_nothing_needs_attention(client, ig_officer, agency):
    agency.ico_registration_number, agency.ico_registration_expires_on = "Z1234567", days_ago(-300)
    agency.save()
    client.force_login(ig_officer)
    assert "Nothing needs attention" in client.get(reverse("home")).content.decode()


def test_reminders_dry_run_sends_and_records_nothing(attention, capsys):
    call_command("send_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Would send to rep@home.example.org: Review of “Overdue Agreement” overdue" in out
    assert "Would send to rep@home.example.org: Review of “Due Soon Agreement” due" in out
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_reminders_are_sent_once_and_recorded(attention):
    call_command("send_reminders")
    kinds = sorted(ReminderSent.objects.values_list("kind", flat=True))
    # The agency never signed its three agreements: each is a reminder to sign (issue 20, item 4).
    reviews = [ReminderKind.REVIEW_90, ReminderKind.REVIEW_OVERDUE, ReminderKind.ICO_EXPIRING]
    assert kinds == sorted(reviews + [ReminderKind.RESIGN] * 3)
    assert len(mail.outbox) == 6 and all(m.to == ["rep@home.example.org"] for m in mail.outbox)
    call_command("send_reminders")
    assert len(mail.outbox) == 6 and ReminderSent.objects.count() == 6


def test_a_review_moving_into_the_30_day_window_is_reminded_again(attention):
    call_command("send_reminders")
    version = attention.owned_agreements.get(title="Due Soon Agreement").versions.get()
    version.next_review_date = days_ago(-20)
    version.save()
    call_command("send_reminders")
    assert ReminderSent.objects.filter(kind=ReminderKind.REVIEW_30).count() == 1


def test_signatories_of_an_earlier_version_are_asked_to_sign_again(agency):
    signer = AgencyFactory(name="Signer")
    RepresentativeFactory(agency=signer, email="signer@example.org")
    agreement, v1 = in_force_agreement(owner=agency, signed_off_on=days_ago(300))
    SignatureFactory(version=v1, agency=signer, signed_on=days_ago(200))
    call_command("send_reminders")
    assert not ReminderSent.objects.filter(kind=ReminderKind.RESIGN).exists()
    VersionFactory(agreement=agreement, number="2.0", signed_off_on=days_ago(1))
    call_command("send_reminders")
    call_command("send_reminders")
    sent = ReminderSent.objects.get(kind=ReminderKind.RESIGN)
    assert sent.recipient == "signer@example.org" and "version 2.0" in sent.subject


def test_reminder_records_name_the_command_in_the_audit_trail(attention):
    from audit.models import AuditEntry

    call_command("send_reminders")
    entry = AuditEntry.objects.filter(content_type__model="remindersent").first()
    assert entry.source == "command:send_reminders"
    assert entry.actor_email == "system (send_reminders)"


def test_seed_demo_builds_a_realistic_partnership(settings):
    from agreements.models import (
        Agency,
        AgencyKind,
        Agreement,
        AgreementStatus,
        IcoState,
        Incident,
        Signature,
    )
    from agreements.selectors import RegisterState, register_rows

    call_command("seed_demo", "--force")
    call_command("seed_demo", "--force")  # idempotent
    assert Agency.objects.count() >= 20
    assert Agency.objects.filter(kind=AgencyKind.COMMISSIONED, commissioned_by__isnull=False).exists()
    assert any(a.ico_state() == IcoState.EXPIRED for a in Agency.objects.all())
    assert Agreement.objects.filter(status=AgreementStatus.IN_FORCE, tier="protocol").count() == 1
    assert Agreement.objects.filter(status=AgreementStatus.UNDER_REVIEW).exists()
    assert Agreement.objects.filter(parent__tier="protocol").count() >= 2
    # Every state but a lapse of registration after signing: the demo's lapsed registration (Young
    # Carers) expired before it could sign (tests/agreements/test_still_to_sign.py has that lapse).
    assert {row.state for row in register_rows()} == set(RegisterState.LABELS) - {RegisterState.ICO_LAPSED}
    assert Signature.objects.filter(state="withdrawn").exists()
    assert Incident.objects.count() >= 3
