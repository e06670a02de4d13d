"""``manage.py generate_volume``: a small synthetic partnership, checked against the product's own rules.

The command runs its own transaction (TRUNCATE, COPY FREEZE) and a VACUUM, so the test that
generates data is transactional; the refusals run inside the test's transaction and must
leave it untouched.
"""

import json
import random
import re
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from agreements.models import Agency
from audit import chain
from audit.models import AuditEntry
from consent.models import CompetenceAssessment, ConsentRecord
from decisions import integrations, rules, services
from decisions.models import Decision, DecisionAddendum, DecisionReview, ReferenceCounter, Status
from devdata import volume
from devdata.models import SyntheticDataSet
from devdata.volume.tables import iso_time, logged_time, to_datetime
from devdata.volume.trail import ACCESS, CREATE, SYSTEM, WEB, Actor, Entry, canonical
from tests.factories import AgencyFactory

SMALL = [
    "--agencies",
    "3",
    "--users",
    "20",
    "--children",
    "50",
    "--decisions",
    "200",
    "--audit-per-record",
    "3",
]


def generate(*extra: str) -> str:
    out = StringIO()
    call_command("generate_volume", *SMALL, *extra, stdout=out)
    return out.getvalue()


def orphans() -> list[str]:
    """Every foreign key of every model that points at a row that does not exist."""
    found = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                target = field.related_model
                cursor.execute(
                    f'SELECT COUNT(*) FROM "{model._meta.db_table}" t WHERE t."{field.column}" IS NOT NULL '  # noqa: S608
                    f'AND NOT EXISTS (SELECT 1 FROM "{target._meta.db_table}" r '
                    f'WHERE r."{target._meta.pk.column}" = t."{field.column}")'
                )
                if cursor.fetchone()[0]:
                    found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db(transaction=True)
def test_a_small_partnership_is_generated_as_the_product_would_have_recorded_it(client):
    output = generate()

    # The counts asked for, and the marker that says they are synthetic.
    assert Agency.objects.count() == 3
    assert User.objects.count() == 20
    assert Decision.objects.count() == 200
    assert SyntheticDataSet.objects.get().options["decisions"] == 200
    assert not User.objects.exclude(email__endswith="@volume.invalid").exists()
    # Representatives get an account when first invited to sign (agreements.services.signature_invite).
    assert set(Role.values) - {Role.REPRESENTATIVE} == set(User.objects.values_list("role", flat=True))
    assert User.objects.filter(partnership_wide=True, role=Role.IG_OFFICER).count() == 2
    assert orphans() == []

    # Agreements in force (or under review) hold the ICO checklist, as agreements.services requires.
    from agreements import checklist
    from agreements.models import Agreement

    for agreement in Agreement.objects.effective().prefetch_related("versions", "purposes"):
        assert checklist.missing(agreement, timezone.localdate()) == [], agreement.title

    # Three audit entries for each submitted decision, ids in time order, and a chain that holds.
    submitted = Decision.objects.exclude(status=Status.DRAFT)
    assert submitted.count() > 150
    types = ContentType.objects.get_for_models(Decision, DecisionReview, DecisionAddendum)
    for decision in submitted.prefetch_related("reviews", "addenda"):
        about = (
            Q(content_type=types[Decision], object_id=decision.pk)
            | Q(content_type=types[DecisionReview], object_id__in=[r.pk for r in decision.reviews.all()])
            | Q(content_type=types[DecisionAddendum], object_id__in=[a.pk for a in decision.addenda.all()])
        )
        entries = AuditEntry.objects.filter(about)
        assert entries.count() == 3, decision.reference
        assert entries.order_by("timestamp").first().timestamp == decision.created
    ids = list(AuditEntry.objects.order_by("timestamp", "id").values_list("id", flat=True))
    assert ids == sorted(ids)
    assert AuditEntry.objects.filter(timestamp__gt=timezone.now()).count() == 0
    call_command("verify_audit", stdout=StringIO())
    assert re.search(r"Audit trail head hash: ([0-9a-f]{64})", output)[1] == (
        AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
    )

    # Every submitted decision is one the product would have accepted, as it would have recorded it.
    references = list(submitted.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert all(re.fullmatch(r"ISD-\d{4}-\d{6}", reference) for reference in references)
    for counter in ReferenceCounter.objects.all():
        numbers = [int(r[9:]) for r in references if r.startswith(f"ISD-{counter.year}-")]
        assert counter.last_number == max(numbers) == len(numbers)
    for decision in submitted.select_related("agency", "child"):
        assert rules.problems(decision) == [], decision.reference
        assert decision.proposed_outcome == rules.proposed_outcome(decision)
        assert decision.consent_position == rules.consent_position(decision)
        on = timezone.localdate(decision.submitted_at)
        found = integrations.consent_for(
            child=decision.child,
            recipient=decision.recipient_agency or decision.requester_agency,
            purpose=decision.purpose,
            on=on,
            information_categories=decision.information_categories or None,
        )
        assert (found.status, found.record) == (decision.consent_status, decision.consent_record)
        if decision.is_sharing:
            cover = integrations.cover_for(
                agency=decision.recipient_agency, purpose=decision.purpose, on=on, sharer=decision.agency
            )
            assert (cover.version if cover else None) == decision.agreement_version
    assert set(submitted.values_list("outcome", flat=True)) == {"share", "share_in_part", "do_not_share"}
    for record in [*ConsentRecord.objects.all(), *CompetenceAssessment.objects.all()]:
        record.clean()

    # Pages render for the generated people, and audited writes through the product continue the chain.
    practitioner = User.objects.get(email="practitioner@volume.invalid")
    lead = User.objects.get(email="lead@volume.invalid")
    client.force_login(practitioner)
    assert client.get(reverse("decisions:list")).status_code == 200
    own = submitted.filter(created_by=practitioner).first()
    assert client.get(reverse("decisions:detail", args=[own.pk])).status_code == 200
    client.force_login(lead)
    assert client.get(reverse("decisions:review_queue")).status_code == 200
    client.force_login(User.objects.get(email="partnership-ig@volume.invalid"))
    assert client.get(reverse("audit:entry_list")).status_code == 200
    assert client.get(reverse("reports:index")).status_code == 200
    head = AuditEntry.objects.order_by("-id").first()
    services.decision_add_addendum(decision=own, text="Checked again: nothing to add.", by=practitioner)
    written = AuditEntry.objects.filter(id__gt=head.id).order_by("id").first()
    assert (written.action, written.prev_hash) == (CREATE, head.entry_hash)
    call_command("verify_audit", stdout=StringIO())

    # A second run finds the generated set and refuses.
    with pytest.raises(CommandError, match="already holds a generated data set"):
        generate()


def test_refuses_a_database_with_a_record_it_did_not_make(db):
    AgencyFactory(name="A real agency")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CommandError, match="records that generate_volume did not make"):
        generate()
    assert list(Agency.objects.values_list("name", flat=True)) == ["A real agency"]
    assert User.objects.count() == Decision.objects.count() == SyntheticDataSet.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


def test_refuses_a_database_it_has_already_filled(db):
    SyntheticDataSet.objects.create(generated_at=timezone.now(), seed=1, options={}, counts={})
    with pytest.raises(CommandError, match="already holds a generated data set"):
        generate()
    assert Agency.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_data_set_generated_before_the_marker_moved_keeps_its_marker():
    """isa_volume was generated when the marker lived in isa_portal: migrating moves it, not drops it."""
    before_the_move = ("isa_portal", "0001_synthetic_data_set")
    executor = MigrationExecutor(connection)
    executor.migrate([before_the_move, ("devdata", None)])
    old_apps = executor.loader.project_state(before_the_move).apps
    old_apps.get_model("isa_portal", "SyntheticDataSet").objects.create(
        generated_at=timezone.now(), seed=7, options={"decisions": 9}, counts={"x": 1}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    marker = SyntheticDataSet.objects.get()
    assert (marker.seed, marker.options, marker.counts) == (7, {"decisions": 9}, {"x": 1})
    assert "isa_portal_syntheticdataset" not in connection.introspection.table_names()


def test_refuses_sqlite(db, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL only"):
        generate()


def test_refuses_without_a_superuser(db, monkeypatch):
    monkeypatch.setattr(volume, "is_superuser", lambda: False)
    with pytest.raises(CommandError, match="needs a PostgreSQL superuser"):
        generate()
    assert Agency.objects.count() == 0


def test_too_few_users_for_the_agencies_is_refused(db):
    with pytest.raises(CommandError, match="cannot staff"):
        call_command("generate_volume", "--agencies", "10", "--users", "12", stdout=StringIO())
    assert Agency.objects.count() == 0


def test_canonical_content_is_what_the_chain_hashes():
    """The fast path builds byte for byte what audit.chain.canonical_content makes of the stored row."""
    actor = Actor(7, "o'brien.7@volume.invalid", "lead", 3, "10.0.3.8")
    entries = [
        Entry(
            CREATE, "change", 12, 41, 'Ann "Nan" Lee, café', actor, 3, '{"a":[null,"x\\\\y"],"b":[null,1]}'
        ),
        Entry(ACCESS, "download", 9, 41, "ISD-2024-000041", actor, 2, detail='{"format":"pdf"}', source=WEB),
        Entry(ACCESS, "list", 9, None, "decisions", SYSTEM, None),
    ]
    for entry in entries:
        moment = datetime(2024, 2, 29, 17, 5, 9, 120, tzinfo=UTC)
        stored = {
            "timestamp": moment,
            "action": entry.action,
            "event": entry.event,
            "content_type_id": entry.content_type_id,
            "object_pk": "" if entry.object_id is None else str(entry.object_id),
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "serialized_data": None,
            "changes": None if entry.changes is None else json.loads(entry.changes),
            "changes_text": "",
            "cid": None,
            "remote_addr": entry.actor.address if entry.source == WEB else None,
            "remote_port": None,
            "additional_data": None if entry.detail is None else json.loads(entry.detail),
            "actor_id": entry.actor.id,
            "actor_email": entry.actor.email,
            "actor_role": entry.actor.role,
            "actor_agency_id": entry.actor.agency_id,
            "agency_id": entry.agency_id,
            "source": entry.source,
        }
        assert canonical(entry, iso_time(1709226309000120)).encode() == chain.canonical_content(stored)


def test_times_are_written_as_python_writes_them():
    rng = random.Random(8)
    for _ in range(2000):
        us = rng.randrange(0, 4_000_000_000_000_000)
        moment = to_datetime(us)
        assert iso_time(us) == moment.isoformat(timespec="microseconds")
        assert logged_time(us) == moment.isoformat(sep=" ", timespec="microseconds")[:26]


@pytest.mark.parametrize("now_hour", [0, 3, 9, 10, 17, 23])
def test_no_generated_moment_is_after_now_whatever_the_hour_the_generator_runs(now_hour):
    """Folding a moment into the working day (08:00-18:00) once dated a sign-in made earlier today
    at, say, 10:45 when the generator ran at 10:30."""
    from devdata.volume.run import DAY, HOUR, MINUTE, Run

    today = 20_000 * DAY
    now = today + now_hour * HOUR + 30 * MINUTE
    run = Run(seed=1, now=now, cursor=None, log=print, audit_per_record=1)
    for at in range(today - DAY, now, 7 * MINUTE):
        assert run.at_work(at) < now
        assert run.between(at, now) < now
