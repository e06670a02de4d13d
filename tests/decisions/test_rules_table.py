"""docs/rules.md names a test for every rule: each must exist. And the rules it names that have no
other home."""

import ast
import re
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import Role
from agreements.models import AgencyKind
from tests.decisions.factories import draft_decision
from tests.factories import AgencyFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def test_every_test_the_rules_table_names_exists():
    cited = CITED.findall((ROOT / "docs" / "rules.md").read_text())
    assert cited
    missing = []
    for path, name in cited:
        file = ROOT / path
        names = (
            {node.name for node in ast.walk(ast.parse(file.read_text())) if isinstance(node, ast.FunctionDef)}
            if file.exists()
            else set()
        )
        if name not in names:
            missing.append(f"{path}::{name}")
    assert missing == []


def _offered(client, decision, field):
    response = client.get(reverse("decisions:step", args=[decision.pk, "lawful_basis"]))
    return [value for value, _ in response.context["form"].fields[field].choices]


@pytest.mark.django_db
def test_schedule_1_paragraph_6_is_for_public_bodies(client, recipient, consent_found):
    consent_found.status = "given"
    health = {
        "purpose": {"information_categories": ["health"]},
        "lawful_basis": {"article9_condition": "9_2_a"},
    }
    charity = UserFactory(
        agency=AgencyFactory(name="Charity", kind=AgencyKind.VOLUNTARY), role=Role.PRACTITIONER
    )
    decision = draft_decision(charity, recipient, **health)
    client.force_login(charity)
    assert "9_2_g_sch1_6" not in _offered(client, decision, "article9_condition")
    response = client.post(
        reverse("decisions:step", args=[decision.pk, "lawful_basis"]),
        {"article6_basis": "consent", "article9_condition": "9_2_g_sch1_6"},
    )
    assert (
        "Schedule 1 paragraph 6 is for functions given by law to public bodies" in response.content.decode()
    )


@pytest.mark.django_db
def test_vital_interests_condition_is_not_offered_with_consent(
    client, practitioner, recipient, consent_found
):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    assert "9_2_c" in _offered(client, decision, "article9_condition")
    consent_found.status = "given"
    decision = draft_decision(practitioner, recipient, lawful_basis={"article9_condition": "none"})
    assert "9_2_c" not in _offered(client, decision, "article9_condition")


@pytest.mark.django_db
def test_the_kinds_of_information_are_required(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    response = client.post(
        reverse("decisions:step", args=[decision.pk, "purpose"]),
        {"purpose": "safeguarding", "purpose_detail": "Bruises seen", "sexual_activity_under_13": "no"},
    )
    assert response.status_code == 200
    assert "Select the kinds of information you would share, or were asked for" in response.content.decode()


@pytest.mark.django_db
def test_the_duty_to_share_says_when_in_force_until_its_commencement_date(
    client, practitioner, recipient, settings
):
    decision = draft_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    client.force_login(practitioner)
    url = reverse("decisions:step", args=[decision.pk, "no_share"])
    settings.COMMENCEMENT = {**settings.COMMENCEMENT, "children_act_2004_s16LA": None}
    page = client.get(url).content.decode()
    assert "When section 16LA of the Children Act 2004" in page and "is in force, it will require" in page
    settings.COMMENCEMENT = {**settings.COMMENCEMENT, "children_act_2004_s16LA": date(2026, 1, 1)}
    assert "Section 16LA of the Children Act 2004 requires you" in client.get(url).content.decode()
