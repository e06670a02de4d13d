"""Issue 20, item 4: what still needs signing, honestly counted. Never signed, to sign again, and
lapsed (withdrawn, or the ICO registration expired after signing) are defined once
(agreements.selectors.StillToSign); the home page and the signatory register count with the same
function, and reminders go to every agency counted, once."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgreementStatus, ReminderSent, SignatureState
from agreements.selectors import RegisterState, StillToSign, register_rows
from agreements.services import representative_appoint
from tests.agreements.factories import (
    AgreementFactory,
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    registered,
)
from tests.factories import AgencyFactory, UserFactory, days_ago

pytestmark = pytest.mark.django_db


def agency_with_rep(name, email, *, expires_on=None):
    agency = registered(AgencyFactory(name=name), expires_on=expires_on)
    RepresentativeFactory(agency=agency, email=email)
    return agency


@pytest.fixture
def partnership(agency, other_agency):
    """Three agreements in force (the protocol in version 2), a draft, and agencies in each category.

    Protocol (version 2 in force): Current signed 2; Earlier signed only 1; Withdrew signed 2 and
    withdrew; Carers signed 2 while registered, registration since expired; Newcomer and the owner
    never signed, nor did the other agency (no registration); No Rep Ltd never signed and has no
    representative.
    Service agreement: Current signed; everyone else never signed.
    Under review agreement: Withdrew signed it (still counts: under review governs sharing).
    """
    registered(agency)
    current = agency_with_rep("Current Partner", "rep@current.example.org")
    earlier = agency_with_rep("Earlier Partner", "rep@earlier.example.org")
    withdrew = agency_with_rep("Withdrew Partner", "rep@withdrew.example.org")
    carers = agency_with_rep("Carers Partner", "rep@carers.example.org", expires_on=days_ago(10))
    agency_with_rep("Newcomer Partner", "rep@newcomer.example.org")
    registered(AgencyFactory(name="No Rep Ltd"))
    AgencyFactory(name="Closed Partner", is_active=False)

    protocol, v1 = in_force_agreement(owner=agency, title="Protocol", signed_off_on=days_ago(400))
    v2 = VersionFactory(agreement=protocol, number="2.0", signed_off_on=days_ago(60))
    SignatureFactory(version=v2, agency=current, signed_on=days_ago(50))
    SignatureFactory(version=v1, agency=earlier, signed_on=days_ago(300))
    SignatureFactory(
        version=v2,
        agency=withdrew,
        signed_on=days_ago(50),
        state=SignatureState.WITHDRAWN,
        withdrawn_on=days_ago(5),
        withdrawal_reason="Restructuring",
    )
    SignatureFactory(version=v2, agency=carers, signed_on=days_ago(40))

    service, s1 = in_force_agreement(owner=agency, title="Service Agreement", tier="service", parent=protocol)
    SignatureFactory(version=s1, agency=current)

    review, r1 = in_force_agreement(owner=agency, title="Under Review Agreement")
    review.status = AgreementStatus.UNDER_REVIEW
    review.save()
    SignatureFactory(version=r1, agency=withdrew)
    AgreementFactory(title="A Draft", owner=agency, status=AgreementStatus.DRAFT)
    return {"protocol": protocol, "service": service, "review": review, "v2": v2}


# (never signed, to sign again, lapsed) per agreement, counted by hand from the fixture's story.
EXPECTED = {
    "Protocol": (4, 1, 2),  # owner, other agency, Newcomer, No Rep | Earlier | Withdrew, Carers
    "Service Agreement": (7, 0, 0),  # everyone but Current
    "Under Review Agreement": (7, 0, 0),  # everyone but Withdrew
}


def figures(to_sign) -> dict[str, tuple[int, int, int]]:
    return {c.agreement.title: (c.never_signed, c.sign_again, c.lapsed) for c in to_sign}


def cells(html: str) -> dict[str, str]:
    """The still-to-sign table's figures as the page shows them, by agreement id and category."""
    found = {}
    for key, value in re.findall(r'data-to-sign="([^"]+)">(?:<a [^>]*>)?(\d+)', html):
        found[key] = value
    return found


def test_the_categories_are_defined_once_and_cover_every_state_that_is_not_cover():
    assert set(StillToSign.OF_STATE) == set(RegisterState.LABELS) - {RegisterState.SIGNED_CURRENT}
    assert (
        StillToSign.of(RegisterState.WITHDRAWN)
        == StillToSign.of(RegisterState.ICO_LAPSED)
        == StillToSign.LAPSED
    )


def test_the_register_counts_each_agency_in_one_category(partnership):
    states = {(r.agreement.title, r.agency.name): r.state for r in register_rows()}
    assert states[("Protocol", "Carers Partner")] == RegisterState.ICO_LAPSED
    assert states[("Protocol", "Withdrew Partner")] == RegisterState.WITHDRAWN
    assert states[("Protocol", "Earlier Partner")] == RegisterState.SIGNED_EARLIER
    assert states[("Protocol", "Newcomer Partner")] == RegisterState.NOT_SIGNED
    assert ("Protocol", "Closed Partner") not in states and "A Draft" not in {t for t, _ in states}


@pytest.mark.parametrize("role", ["admin", "ig_officer"])
def test_the_home_page_and_the_register_show_the_same_counts(client, partnership, other_agency, role):
    user = UserFactory(agency=other_agency, role=getattr(Role, role.upper()), partnership_wide=True)
    client.force_login(user)
    home = client.get(reverse("home"))
    register = client.get(reverse("agreements:signatory_register"))
    assert figures(home.context["flags"]["to_sign"]) == figures(register.context["to_sign"]) == EXPECTED
    shown = cells(home.content.decode())
    assert shown == cells(register.content.decode()) and len(shown) == 3 * 4
    assert shown[f"{partnership['protocol'].pk}:lapsed"] == "2"
    assert shown[f"{partnership['protocol'].pk}:total"] == "7"
    assert "Signatures of the versions in force still needed: 21" in home.content.decode()


def test_an_agency_admins_home_counts_its_own_agency_and_links_to_the_same_figures(client, partnership):
    carers = partnership["v2"].signatures.get(agency__name="Carers Partner").agency
    user = UserFactory(agency=carers, role=Role.ADMIN)
    client.force_login(user)
    home = client.get(reverse("home"))
    own = figures(home.context["flags"]["to_sign"])
    assert own == {"Protocol": (0, 0, 1), "Service Agreement": (1, 0, 0), "Under Review Agreement": (1, 0, 0)}
    link = (
        re.search(
            r'href="(/agreements/signatories/\?agreement=\d+&amp;needs=lapsed&amp;agency=\d+)"',
            home.content.decode(),
        )
        .group(1)
        .replace("&amp;", "&")
    )
    register = client.get(link)
    assert figures(register.context["to_sign"]) == {"Protocol": own["Protocol"]}
    assert (
        figures(
            client.get(reverse("agreements:signatory_register"), {"agency": carers.pk}).context["to_sign"]
        )
        == own
    )
    assert [(r.agency.name, r.state) for r in register.context["page"].object_list] == [
        ("Carers Partner", RegisterState.ICO_LAPSED)
    ]


def test_the_register_filters_by_what_still_needs_signing(client, practitioner, partnership):
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    protocol = partnership["protocol"].pk
    rows = client.get(url, {"agreement": protocol, "needs": "lapsed"}).context["page"].object_list
    assert sorted(r.agency.name for r in rows) == ["Carers Partner", "Withdrew Partner"]
    rows = client.get(url, {"agreement": protocol, "needs": "any"}).context["page"].object_list
    assert len(rows) == 7 and "Current Partner" not in {r.agency.name for r in rows}
    # The figures stay whole whatever category is asked for.
    page = client.get(url, {"needs": "never_signed"})
    assert figures(page.context["to_sign"]) == EXPECTED


def test_the_demo_home_page_and_register_agree(client):
    call_command("seed_demo", "--force")
    from accounts.models import User

    client.force_login(User.objects.get(email="partnership-admin@demo.test"))
    home = figures(client.get(reverse("home")).context["flags"]["to_sign"])
    register = figures(client.get(reverse("agreements:signatory_register")).context["to_sign"])
    assert home == register
    never, again, lapsed = (sum(counts[i] for counts in home.values()) for i in range(3))
    assert never and again and lapsed  # the demo has agencies in every category
    assert never >= 9  # the register's many never-signed agencies are counted, not only re-signs


def test_a_representative_leaving_is_not_a_lapse(partnership, admin):
    current = partnership["v2"].signatures.get(agency__name="Current Partner").agency
    representative_appoint(
        agency=current, name="New Person", email="new@current.example.org", started_on=days_ago(1), by=admin
    )
    states = {(r.agreement.title, r.agency.name): r.state for r in register_rows()}
    assert states[("Protocol", "Current Partner")] == RegisterState.SIGNED_CURRENT


def test_reminders_go_to_every_agency_still_to_sign_once(partnership):
    call_command("send_reminders")
    to = {}
    for message in mail.outbox:
        for address in message.to:
            to.setdefault(address, []).append(message.subject + " | " + message.body)
    protocol = [m for m in to["rep@newcomer.example.org"] if "“Protocol”" in m]
    assert len(protocol) == 1 and "has not signed “Protocol”" in protocol[0]
    assert any("withdrew its signature of “Protocol”" in m for m in to["rep@withdrew.example.org"])
    assert any("signed version 1." in m and "compare" in m for m in to["rep@earlier.example.org"])
    assert any("no longer counts" in m and "Protocol" in m for m in to["rep@carers.example.org"])
    # Carers must sign the service agreement too, and is told it cannot until it renews.
    service = [m for m in to["rep@carers.example.org"] if "has not signed “Service Agreement”" in m]
    assert len(service) == 1 and "cannot sign until its renewed ICO registration is recorded" in service[0]
    assert "rep@current.example.org" in to  # never signed the agreement under review
    sent = len(mail.outbox)
    assert ReminderSent.objects.count() == sent

    call_command("send_reminders")  # idempotent: nothing new
    assert len(mail.outbox) == sent and ReminderSent.objects.count() == sent


def test_a_never_signed_agency_without_a_representative_is_reported_not_lost(partnership, capsys):
    call_command("send_reminders")
    assert "No nominated representative to tell: Please sign" in capsys.readouterr().out
