"""IDOR (ASVS V4.2.1): every URL that takes a record's id, every method it accepts.

Built over the URL x role matrix, so a route added by any part is covered as soon
as it is declared: a user of another agency (``outsider``) gets 404 - exactly as
if the record did not exist - and the attempt is in the audit trail. (A page no
practitioner may use at all answers the outsider 403 whether or not the record
exists, which tells them nothing either.)
"""

import uuid

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from tests.test_url_matrix import ROUTES

ROUTES_WITH_ARGUMENTS = sorted(name for name, route in ROUTES.items() if route.kwargs is not None)


def _is_object_route(kwargs: dict, created_records: bool) -> bool:
    """A route is about a record if building it made one, or it takes a numeric or UUID id."""
    return created_records or any(isinstance(v, int | uuid.UUID) for v in kwargs.values())


def test_the_matrix_has_object_routes_to_check():
    assert len(ROUTES_WITH_ARGUMENTS) >= 5


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("url_name", ROUTES_WITH_ARGUMENTS)
def test_another_agency_gets_404_and_the_attempt_is_recorded(client, personas, url_name, method):
    route = ROUTES[url_name]
    latest = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    kwargs = route.kwargs(personas)
    created = AuditEntry.objects.filter(pk__gt=latest, action=AuditEntry.Action.CREATE).exists()
    if not _is_object_route(kwargs, created):
        pytest.skip("takes no record id")
    if route.expect["outsider"] not in (403, 404):
        # Declared in the matrix as shared with every agency (agreements, agencies): not another's record.
        pytest.skip("shared across the partnership by design")
    url = reverse(url_name, kwargs=kwargs)
    outsider = personas["outsider"]
    client.force_login(outsider)

    data = route.data(personas) if route.data and method == route.method else {}
    response = client.generic(method, url) if not data else getattr(client, method.lower())(url, data)

    if response.status_code == 405:
        # The method is refused before any record is looked up: nothing can leak.
        assert method != route.method, f"{url_name} refuses its own declared method"
        return
    status = response.status_code
    # The outsider is a practitioner. Where a practitioner of the home agency may use the
    # page, the outsider must be told the record does not exist. Where no practitioner
    # may (the role is refused, 403), the refusal must not depend on the record existing.
    home_practitioner_allowed = route.expect["practitioner"] not in (403, 404, 405)
    if home_practitioner_allowed or status != 403:
        assert status == 404, f"{method} {url_name} as outsider: {status}"
    else:
        missing = reverse(url_name, kwargs={k: _missing(v) for k, v in kwargs.items()})
        assert client.generic(method, missing).status_code == 403, f"{url_name}: 403 only when it exists"
    # Read as entries, not filtered on the column: a refusal recorded against a child's record (its
    # type and id, for that agency's IG officer) keeps its label outside the chain (audit.erasure).
    refusals = AuditEntry.objects.filter(event=Event.DENIED, actor=outsider, additional_data__status=status)
    assert f"{method} {url}" in {entry.object_repr for entry in refusals}, (
        f"{method} {url_name}: the refusal is not in the audit trail"
    )


def _missing(value):
    """An id of the same kind that names no record."""
    if isinstance(value, int):
        return 2**31 - 1
    if isinstance(value, uuid.UUID):
        return uuid.uuid4()
    return value
