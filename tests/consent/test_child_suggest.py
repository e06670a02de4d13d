"""The children picker's server-side search (issue 16, item 5): children the person may see, by name,
at most twenty, audited as the children search is."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from consent.views import SUGGESTIONS
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db
SUGGEST = reverse("consent:child_suggest")


def labels(response) -> list[str]:
    return [result["label"] for result in response.json()["results"]]


def test_it_finds_visible_children_by_every_word_typed(client, practitioner, child, outsider):
    ChildFactory(given_name="Amara", family_name="Elsewhere", created_by=outsider)  # another agency's
    client.force_login(practitioner)
    response = client.get(SUGGEST, {"q": "okoye am"})
    assert response.status_code == 200
    assert labels(response) == [f"Amara Okoye, born {child.date_of_birth:%-d %B %Y}"]
    assert response.json()["results"][0]["id"] == child.pk
    assert labels(client.get(SUGGEST, {"q": "amara"})) == [labels(response)[0]]


def test_it_is_audited_like_the_children_search_without_the_words(client, practitioner, child):
    client.force_login(practitioner)
    client.get(SUGGEST, {"q": "amara"})
    entry = AuditEntry.objects.get(event=Event.LIST)
    assert entry.actor == practitioner
    assert entry.additional_data == {"searched_by": ["name"], "from": "picker"}
    assert "amara" not in str(entry.additional_data).lower()


def test_fewer_than_two_letters_searches_nothing(client, practitioner, child):
    client.force_login(practitioner)
    assert client.get(SUGGEST, {"q": "a"}).json() == {"results": []}
    assert not AuditEntry.objects.filter(event=Event.LIST).exists()


def test_at_most_twenty_are_offered(client, practitioner):
    for number in range(SUGGESTIONS + 5):
        ChildFactory(given_name=f"Sam{number}", family_name="Many", created_by=practitioner)
    client.force_login(practitioner)
    assert len(labels(client.get(SUGGEST, {"q": "many"}))) == SUGGESTIONS


def test_the_choose_child_page_lists_a_bounded_number_and_marks_the_select_for_search(client, practitioner):
    from decisions.forms import ChooseChildForm

    for number in range(ChooseChildForm.LISTED + 3):
        ChildFactory(given_name=f"Kid{number}", family_name="Lots", created_by=practitioner)
    client.force_login(practitioner)
    page = client.get(reverse("decisions:new")).content.decode()
    assert page.count("<option") == ChooseChildForm.LISTED + 1  # and "Select a child"
    assert 'data-app-autocomplete="search"' in page and f'data-app-source="{SUGGEST}"' in page
