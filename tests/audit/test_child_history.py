"""A child's access history (issue 15): "every time anyone looked at child X last month", answered
on seeded data, every row checked, including a refused attempt by another agency."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import history
from audit.models import AuditEntry
from tests.consent.factories import make_assessment, make_consent
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _last_month() -> tuple[dt.date, dt.date]:
    first_this_month = timezone.localdate().replace(day=1)
    last_day = first_this_month - dt.timedelta(days=1)
    return last_day.replace(day=1), last_day


@pytest.fixture
def seeded(client, practitioner, lead, outsider, monkeypatch):
    """Child X with a decision, a consent record and an assessment. Last month: the practitioner
    viewed the child, the decision and its PDF, the consent record and the assessment; the lead
    viewed the decision; someone of another agency was refused the decision. This month and before
    last month, more views that the question leaves out; another child's views too."""
    from agreements.models import AgencyKind

    police = AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)
    child = child_for(practitioner, given_name="Xena", family_name="Marsh", nhs_number="")
    decision = submitted_decision(practitioner, police, child=child)
    consent = make_consent(child, practitioner)
    assessment = make_assessment(child, practitioner, reason="Understood and weighed it up clearly.")
    other_child = child_for(practitioner, given_name="Other", family_name="Child")
    first, last = _last_month()
    tz = timezone.get_current_timezone()
    timestamp = AuditEntry._meta.get_field("timestamp")

    def at(day: dt.date, hour: int):
        moment = dt.datetime.combine(day, dt.time(hour, 0), tz)
        monkeypatch.setattr(timestamp, "_get_default", lambda: moment)
        return moment

    def get(user, url, address="192.0.2.10"):
        client.force_login(user)
        return client.get(url, REMOTE_ADDR=address)

    looked = []
    at(first - dt.timedelta(days=2), 9)  # the month before: left out
    assert get(practitioner, reverse("consent:child_detail", args=[child.pk])).status_code == 200
    when = at(first, 0)  # the first moment of last month counts
    assert get(practitioner, reverse("consent:child_detail", args=[child.pk])).status_code == 200
    looked.append((when, practitioner, "viewed child Xena Marsh", "Viewed"))
    when = at(first + dt.timedelta(days=3), 10)
    assert get(practitioner, reverse("decisions:detail", args=[decision.pk])).status_code == 200
    looked.append((when, practitioner, f"viewed decision {decision.reference}", "Viewed"))
    when = at(first + dt.timedelta(days=3), 11)
    assert get(practitioner, reverse("decisions:pdf", args=[decision.pk])).status_code == 200
    looked.append(
        (when, practitioner, f"downloaded decision {decision.reference}", "Downloaded, printed or exported")
    )
    when = at(first + dt.timedelta(days=4), 12)
    assert get(lead, reverse("decisions:detail", args=[decision.pk])).status_code == 200
    looked.append((when, lead, f"viewed decision {decision.reference}", "Viewed"))
    when = at(first + dt.timedelta(days=5), 13)
    assert get(practitioner, reverse("consent:consent_detail", args=[consent.pk])).status_code == 200
    looked.append((when, practitioner, "viewed consent record", "Viewed"))
    when = at(first + dt.timedelta(days=6), 14)
    assert get(practitioner, reverse("consent:assessment_detail", args=[assessment.pk])).status_code == 200
    looked.append((when, practitioner, "viewed competence assessment", "Viewed"))
    when = at(last, 23)  # the last hour of last month counts
    assert get(outsider, reverse("decisions:detail", args=[decision.pk]), "203.0.113.66").status_code == 404
    looked.append((when, outsider, f"was refused access to decision {decision.reference}", "Refused access"))
    at(last, 22)
    assert get(practitioner, reverse("consent:child_detail", args=[other_child.pk])).status_code == 200
    at(last + dt.timedelta(days=1), 9)  # this month: left out
    assert get(practitioner, reverse("decisions:detail", args=[decision.pk])).status_code == 200
    monkeypatch.undo()
    looked.sort(key=lambda row: row[0], reverse=True)
    return {"child": child, "looked": looked, "period": (first, last)}


def _query(seeded) -> dict:
    first, last = seeded["period"]
    return {
        "date_from_0": first.day,
        "date_from_1": first.month,
        "date_from_2": first.year,
        "date_to_0": last.day,
        "date_to_1": last.month,
        "date_to_2": last.year,
    }


def _who(user) -> str:
    return f"{user.full_name} ("


@pytest.mark.parametrize("persona", ["ig_officer", "partnership_ig"])
def test_every_time_anyone_looked_at_child_x_last_month(client, personas, seeded, persona):
    child, looked = seeded["child"], seeded["looked"]
    client.force_login(personas[persona])
    response = client.get(reverse("audit:child_history", args=[child.pk]), _query(seeded))
    assert response.status_code == 200
    rows = [row for _, row in response.context["rows"]]
    # Every row checked: when, who, their agency, what happened, the kind; nothing else.
    assert len(rows) == len(looked), [row[4] for row in rows]
    for row, (when, user, what, kind) in zip(rows, looked, strict=True):
        assert row[0] == when
        assert row[1] == user.full_name
        assert row[2] == user.agency.name
        assert row[4].startswith(_who(user)) and what in row[4], row[4]
        assert row[5] == kind
    refused = rows[0]
    assert refused[2] == personas["outsider"].agency.name != personas["ig_officer"].agency.name
    assert refused[8] == "203.0.113.66"
    assert refused[3] == "Practitioner"


def test_the_history_is_downloaded_as_csv_and_xlsx_with_the_same_rows(client, ig_officer, seeded):
    child, looked = seeded["child"], seeded["looked"]
    client.force_login(ig_officer)
    url = reverse("audit:child_history_export", args=[child.pk])
    body = b"".join(client.get(url, _query(seeded)).streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    at = rows.index(history.HEADER)
    above = {row[0]: row[1] for row in rows[1:at] if len(row) == 2}
    assert above["Child"].startswith("Xena Marsh (born ")
    assert above["From"] == f"{seeded['period'][0].day} {seeded['period'][0]:%B %Y}"
    body_rows = rows[at + 1 :]
    assert len(body_rows) == len(looked)
    for row, (_, user, what, kind) in zip(body_rows, looked, strict=True):
        assert (row[1], row[5]) == (user.full_name, kind)
        assert what in row[4]
    assert body_rows[0][0] == f"{timezone.localtime(looked[0][0]):%Y-%m-%d %H:%M:%S}"

    url = reverse("audit:child_history_export_xlsx", args=[child.pk])
    sheet = load_workbook(io.BytesIO(b"".join(client.get(url, _query(seeded)).streaming_content))).active
    values = list(sheet.values)
    at = values.index(tuple(history.HEADER))
    data = values[at + 1 :]
    assert len(data) == len(looked)
    assert all(isinstance(row[0], dt.datetime) for row in data)
    assert data[0][0] == timezone.localtime(looked[0][0]).replace(tzinfo=None)
    assert sheet.freeze_panes == f"A{at + 2}"


def test_kind_filter_shows_only_refusals(client, partnership_ig, seeded):
    client.force_login(partnership_ig)
    response = client.get(reverse("audit:child_history", args=[seeded["child"].pk]), {"kind": "refused"})
    rows = [row for _, row in response.context["rows"]]
    assert [row[5] for row in rows] == ["Refused access"]


def test_bad_dates_give_a_govuk_error_not_a_500(client, ig_officer, seeded):
    client.force_login(ig_officer)
    url = reverse("audit:child_history", args=[seeded["child"].pk])
    response = client.get(url, {"date_from_0": "31", "date_from_1": "2", "date_from_2": "2026"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_reached_from_the_child_page_and_by_search(client, ig_officer, seeded):
    child = seeded["child"]
    client.force_login(ig_officer)
    page = client.get(reverse("consent:child_detail", args=[child.pk])).content.decode()
    assert reverse("audit:child_history", args=[child.pk]) in page
    found = client.get(reverse("audit:child_history_search"), {"name": "Xena"})
    assert found.context["children"] == [child]
    assert reverse("audit:child_history", args=[child.pk]) in found.content.decode()
    by_dob = client.get(
        reverse("audit:child_history_search"),
        {
            "date_of_birth_0": child.date_of_birth.day,
            "date_of_birth_1": child.date_of_birth.month,
            "date_of_birth_2": child.date_of_birth.year,
        },
    )
    assert child in by_dob.context["children"]
