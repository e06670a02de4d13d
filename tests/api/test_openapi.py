"""The OpenAPI document: served, committed as generated, and held to by the API under schemathesis."""

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from tests.consent.factories import make_consent

COMMITTED = Path(settings.BASE_DIR) / "docs" / "api" / "openapi.yaml"


def test_the_committed_document_is_the_generated_one(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate", "--fail-on-warn")
    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/api/openapi.yaml is out of date: run "
        "`python manage.py spectacular --file docs/api/openapi.yaml --validate --fail-on-warn`"
    )


@pytest.mark.django_db
def test_the_document_is_served_to_anyone(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/v1/consent/{id}/fhir" in response.content


@pytest.fixture
def records(db, practitioner, outsider, child, consent, decision, settings):
    """Records of both agencies for the generated calls to find or miss: their ids, by kind."""
    from tests.factories import ChildFactory

    theirs = ChildFactory(given_name="Bo", family_name="Finch", nhs_number="9876543210", created_by=outsider)
    their_consent = make_consent(theirs, outsider)
    settings.API_RATE_LIMIT = "100000/minute"  # the fuzzing is not what is being rate-limited
    not_sought = make_consent(child, practitioner, answer="not_sought")
    # As Django's test client does: a request served in the test must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "children": [child.pk, theirs.pk],
        "decisions": [decision.pk, decision.pk],
        "consent": [consent.pk, their_consent.pk, not_sought.pk],
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The committed document, which the tests above hold equal to the one served. (Loading the served one
# through a fixture, schemathesis.pytest.from_fixture, fails on pytest 9's nodes: it sets a private
# ``_nodeid``.) Calls go to the Django application in this process (WSGI), inside the test's transaction.
schema = schemathesis.openapi.from_path(COMMITTED)


@schema.parametrize()
@hypothesis_settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_generated_call_is_a_server_error(case, token, records):
    from isa_portal.wsgi import application

    _aim(case, records)
    case.call_and_validate(
        app=application, headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )


def _aim(case, ids: dict[str, list[int]]) -> None:
    """Point two generated ids in three at a real record (ours or another agency's), so that calls
    reach past "not found" into the code that reads and renders a record."""
    kind = case.operation.path.split("/")[3]  # /api/v1/<kind>/...

    def aimed(value, pool):
        if isinstance(value, int) and not isinstance(value, bool) and value % 3 < 2:
            return pool[value % len(pool)]
        return value

    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = aimed(case.path_parameters["id"], ids[kind])
    if case.query and "child" in case.query:
        case.query["child"] = aimed(case.query["child"], ids["children"])
    if isinstance(case.body, dict) and "child" in case.body:
        case.body["child"] = aimed(case.body["child"], ids["children"])
