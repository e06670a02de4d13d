import csv
import io
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from agreements.models import (
    Agency,
    AgencyKind,
    AgreementStatus,
    AgreementTier,
    Signature,
    SignatureMethod,
    SignatureState,
)
from agreements.selectors import RegisterState, register_rows
from audit.models import AuditEntry, Event
from tests.agreements.factories import (
    AgreementFactory,
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    provider_of,
    registered,
)
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def partnership(agency, other_agency):
    """One agreement in force (version 2 in force), agencies in each state, and a draft agreement."""
    protocol, v1 = in_force_agreement(owner=agency, signed_off_on=days_ago(300))
    protocol.title = "The Protocol"
    protocol.save()
    v2 = VersionFactory(agreement=protocol, number="2.0", signed_off_on=days_ago(30))
    current = AgencyFactory(name="Signed Current")
    earlier = AgencyFactory(name="Signed Earlier")
    withdrawn = AgencyFactory(name="Withdrew")
    SignatureFactory(version=v2, agency=current, signed_on=days_ago(20))
    SignatureFactory(version=v1, agency=earlier, signed_on=days_ago(200))
    SignatureFactory(
        version=v2,
        agency=withdrawn,
        signed_on=days_ago(20),
        state=SignatureState.WITHDRAWN,
        withdrawn_on=days_ago(5),
        withdrawal_reason="Left",
    )
    SignatureFactory(version=v2, agency=agency, signed_on=days_ago(10))
    provider_of(agency, name="Provider Ltd")  # its commissioner signed; it has not
    AgencyFactory(name="Gone Away", is_active=False)
    AgreementFactory(title="A Draft", owner=agency, status=AgreementStatus.DRAFT)
    return protocol


def states(rows):
    return {row.agency.name: row.state for row in rows}


def test_every_active_agency_against_every_agreement_in_force(partnership, other_agency):
    rows = register_rows()
    assert {row.agreement.title for row in rows} == {"The Protocol"}
    assert states(rows) == {
        "Signed Current": RegisterState.SIGNED_CURRENT,
        "Signed Earlier": RegisterState.SIGNED_EARLIER,
        "Withdrew": RegisterState.WITHDRAWN,
        "Home County Children's Services": RegisterState.SIGNED_CURRENT,
        "Other Town Police": RegisterState.NOT_SIGNED,
        "Provider Ltd": RegisterState.NOT_SIGNED,
    }
    provider = next(row for row in rows if row.agency.name == "Provider Ltd")
    assert "whose signature does not cover it" in provider.commissioner_note


def test_signing_again_after_withdrawing_shows_as_signed(partnership):
    withdrew = Signature.objects.get(agency__name="Withdrew")
    SignatureFactory(version=withdrew.version, agency=withdrew.agency, signed_on=days_ago(1))
    assert states(register_rows())["Withdrew"] == RegisterState.SIGNED_CURRENT


def test_the_page_filters_by_state_kind_and_name(client, practitioner, partnership):
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    page = client.get(url, {"state": "signed_earlier"}).content.decode()
    assert "Signed Earlier" in page and "Signed Current" not in page
    page = client.get(url, {"kind": "police"}).content.decode()
    assert "Other Town Police" in page and "Signed Earlier" not in page
    page = client.get(url, {"q": "provider"}).content.decode()
    assert "Provider Ltd" in page and "whose signature does not cover it" in page
    assert client.get(url, {"state": "nonsense", "agreement": "x"}).status_code == 200  # bad filters: ignored


def test_csv_export_has_one_row_per_agency_and_agreement_and_is_audited(client, ig_officer, partnership):
    client.force_login(ig_officer)
    response = client.get(reverse("agreements:signatory_register"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="signatory-register-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 6
    assert len({(r["Agreement"], r["Agency"]) for r in rows}) == 6
    earlier = next(r for r in rows if r["Agency"] == "Signed Earlier")
    assert earlier["Signature"] == RegisterState.LABELS[RegisterState.SIGNED_EARLIER]
    assert earlier["Version in force"] == "2.0"
    entry = AuditEntry.objects.get(event=Event.EXPORT)
    assert entry.actor == ig_officer and "CSV" in entry.object_repr
    assert entry.additional_data["rows"] == 6


def test_xlsx_export_opens_in_a_spreadsheet(client, admin, partnership):
    client.force_login(admin)
    response = client.get(reverse("agreements:signatory_register"), {"format": "xlsx", "state": "withdrawn"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(workbook["Signatory register"].values)
    assert values[0][0] == "Agreement" and len(values) == 2
    assert values[1][3] == "Withdrew" and values[1][12] == "Left"
    assert AuditEntry.objects.filter(event=Event.EXPORT, actor=admin).count() == 1


def test_the_register_takes_a_fixed_number_of_queries(
    client, practitioner, partnership, django_assert_num_queries
):
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    client.get(url)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for n in range(10):
        agency = AgencyFactory(name=f"Extra {n}")
        SignatureFactory(version=partnership.versions.first(), agency=agency)
        in_force_agreement()
    assert count() == before
    # session, user with their agency, agreements, versions, agencies, representatives, signatures,
    # the agreement filter's options (read once); no request transaction (it only reads)
    with django_assert_num_queries(8):
        client.get(url)


def test_the_export_records_the_filters_as_understood_not_the_raw_query(client, admin, partnership):
    client.force_login(admin)
    response = client.get(
        reverse("agreements:signatory_register"), {"format": "csv", "q": "\x00", "kind": "police"}
    )
    assert response.status_code == 200
    entry = AuditEntry.objects.get(event=Event.EXPORT)
    assert entry.additional_data["filters"] == {}  # the name filter was invalid, so no filter applied
    client.get(reverse("agreements:signatory_register"), {"format": "csv", "kind": "police"})
    assert AuditEntry.objects.filter(event=Event.EXPORT).latest("pk").additional_data["filters"] == {
        "kind": "police"
    }


def test_the_register_is_shown_a_page_at_a_time_and_downloaded_whole(
    client, practitioner, partnership, monkeypatch
):
    from agreements import views

    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 4)
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    total = len(register_rows())
    assert total > 4
    first = client.get(url, {"kind": ""})
    assert len(first.context["page"].object_list) == 4 and first.context["page"].paginator.count == total
    assert 'href="?kind=&amp;page=2"' in first.content.decode()
    last = client.get(url, {"page": first.context["page"].paginator.num_pages})
    assert len(last.context["page"].object_list) == total - 4 * (last.context["page"].number - 1)
    assert "page=" not in last.context["query"]
    response = client.get(url, {"page": 2, "format": "csv"})
    assert len(list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))) == total + 1


@pytest.fixture
def wider_partnership(partnership, agency):
    """The partnership, a second agreement in force, a signed agency whose ICO registration has
    since expired, and representatives: rows in every state over more than one page."""
    service, service_v1 = in_force_agreement(
        owner=agency, title="A Service Agreement", tier=AgreementTier.SERVICE
    )
    lapsed = AgencyFactory(name="Lapsed Registration", kind=AgencyKind.POLICE)
    registered(lapsed, expires_on=days_ago(3))
    SignatureFactory(version=partnership.versions.get(number="2.0"), agency=lapsed, signed_on=days_ago(15))
    SignatureFactory(version=service_v1, agency=lapsed, signed_on=days_ago(15))
    earlier = Agency.objects.get(name="Signed Earlier")
    SignatureFactory(version=service_v1, agency=earlier, signed_on=days_ago(9))
    RepresentativeFactory(agency=Agency.objects.get(name="Provider Ltd"))
    return [partnership, service]


def facts(row) -> tuple:
    """What a register row shows: its agreement, version, agency, state, ICO state, its signature
    (whole: who signed and how) and its agency's current representative."""
    s, rep = row.signature, row.representative
    return (
        row.agreement.pk,
        row.version.pk if row.version else None,
        row.agency.pk,
        row.state,
        row.ico_state,
        (s.pk, s.version.number, s.signed_by_name, s.how_signed, s.representative_email) if s else None,
        (rep.pk, rep.name, rep.email) if rep else None,
    )


REGISTER_FILTERS = [
    pytest.param({}, lambda row: True, id="every row"),
    pytest.param({"state": "not_signed"}, lambda row: row.state == RegisterState.NOT_SIGNED, id="not signed"),
    pytest.param({"state": "ico_lapsed"}, lambda row: row.state == RegisterState.ICO_LAPSED, id="ICO lapsed"),
    pytest.param({"needs": "any"}, lambda row: row.still_to_sign is not None, id="still to sign"),
    pytest.param({"needs": "sign_again"}, lambda row: row.still_to_sign == "sign_again", id="to sign again"),
    pytest.param({"kind": "police"}, lambda row: row.agency.kind == "police", id="police"),
    pytest.param({"q": "signed"}, lambda row: "signed" in row.agency.name.lower(), id="name"),
]


@pytest.mark.parametrize("query, keep", REGISTER_FILTERS)
def test_the_paged_register_shows_the_rows_of_the_whole_register_page_by_page(
    client, practitioner, wider_partnership, monkeypatch, query, keep
):
    """The page works out every row's state but reads signatures and representatives for its own
    rows only: page by page, it shows exactly the rows, in the order, of the register built whole."""
    from agreements import views
    from agreements.selectors import to_sign_by_agreement

    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 3)
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    whole = register_rows()
    expected = [facts(row) for row in whole if keep(row)]
    assert expected, "each filter leaves some rows"
    shown, number, pages = [], 1, None
    while pages is None or number <= pages:
        response = client.get(url, {**query, "page": number})
        page = response.context["page"]
        pages = page.paginator.num_pages
        assert page.paginator.count == len(expected)
        shown += [facts(row) for row in page.object_list]
        number += 1
    assert shown == expected
    if not {"state", "needs"} & set(query):
        counted = to_sign_by_agreement([row for row in whole if keep(row)])
        assert [(t.agreement.pk, t.counts()) for t in response.context["to_sign"]] == [
            (t.agreement.pk, t.counts()) for t in counted
        ]


def test_the_register_filtered_to_one_agreement_pages_its_rows_only(
    client, practitioner, wider_partnership, monkeypatch
):
    from agreements import views

    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 4)
    client.force_login(practitioner)
    service = wider_partnership[1]
    expected = [facts(row) for row in register_rows() if row.agreement.pk == service.pk]
    url = reverse("agreements:signatory_register")
    first = client.get(url, {"agreement": service.pk})
    second = client.get(url, {"agreement": service.pk, "page": 2})
    assert first.context["page"].paginator.count == len(expected) > 4
    assert [facts(row) for row in [*first.context["page"], *second.context["page"]]] == expected[:8]


# A register row as its template wrote it with lookups, filters and {% url %}, before the rows were
# written in Python (agreements.views.register_lines).
TEMPLATE_ROW = Template(Path(__file__).with_name("register_row_as_template_wrote_it.html").read_text())


def test_each_row_reads_as_the_template_wrote_it(client, practitioner, wider_partnership, monkeypatch):
    """Every kind of row: signed, withdrawn (a date and a reason), on paper, by an agency since
    renamed and by one under the same name, never signed with and without a representative, a
    commissioned provider, a name with an apostrophe to escape."""
    from agreements import views

    paper = Signature.objects.get(agency__name="Signed Earlier", agreement=wider_partnership[1])
    paper.method = SignatureMethod.PAPER
    paper.agency_name = "Signed Earlier & Sons"
    paper.representative_name = ""
    paper.save()
    same = Signature.objects.get(agency__name="Signed Current")
    same.agency_name = "Signed Current"
    same.save()
    monkeypatch.setattr(views, "REGISTER_PAGE_SIZE", 5)
    client.force_login(practitioner)
    url = reverse("agreements:signatory_register")
    whole = register_rows()
    written = []
    for number in range(1, (len(whole) + 4) // 5 + 1):
        page = client.get(url, {"page": number}).content.decode()
        body = page[page.rindex('<tbody class="govuk-table__body">') : page.rindex("</tbody>")]
        written += [line.strip() for line in re.findall(r"<tr .*?</tr>", body, re.DOTALL)]
    assert len(written) == len(whole)
    for row, line in zip(whole, written, strict=True):
        assert line == TEMPLATE_ROW.render(Context({"row": row})).strip()
    text = "\n".join(written)
    for shown in ("Paper, recorded by", "(as Signed Earlier &amp; Sons)", "Not recorded", "None recorded"):
        assert shown in text
    assert "whose signature does not cover it" in text and "Children&#x27;s Services" in text
    assert "; withdrawn " in text
