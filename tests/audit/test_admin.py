import pytest
from django.urls import reverse

from tests.audit.factories import write_entries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_operators_can_search_the_trail_in_the_admin_but_never_delete(client, practitioner):
    [entry] = write_entries(1, actor=practitioner)
    operator = UserFactory(is_staff=True, is_superuser=True, partnership_wide=True, role="admin")
    client.force_login(operator)
    response = client.get(reverse("admin:audit_auditentry_changelist"), {"q": practitioner.email})
    assert response.status_code == 200
    assert entry in response.context["cl"].queryset
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
