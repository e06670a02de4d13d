"""Who may use each page about children, competence and consent."""

from tests.consent.factories import make_assessment, make_consent
from tests.factories import ChildFactory
from tests.url_matrix import Route, allow

# Practitioners and leads record; IG officers only read; admins never see a child (403).
# The outsider (another agency's practitioner) gets 404 for the home agency's records.
READERS = ("practitioner", "lead", "ig_officer", "partnership_ig", "outsider")
RECORDERS = ("practitioner", "lead", "outsider")


def _child(personas):
    return {"pk": ChildFactory(created_by=personas["practitioner"]).pk}


def _consent(personas):
    child = ChildFactory(created_by=personas["practitioner"])
    return {"pk": make_consent(child, personas["practitioner"]).pk}


def _assessment(personas):
    child = ChildFactory(created_by=personas["practitioner"])
    return {"pk": make_assessment(child, personas["practitioner"]).pk}


def _step(step):
    return lambda personas: {**_child(personas), "step": step}


def read_child(**overrides):
    return allow(*READERS, outsider=404, **overrides)


def record_child(ok=200, **overrides):
    return allow(*RECORDERS, ok=ok, outsider=404, **overrides)


ROUTES = {
    "consent:child_list": Route(allow(*READERS)),
    "consent:child_suggest": Route(allow(*READERS)),
    "consent:child_create": Route(allow(*RECORDERS)),
    "consent:child_detail": Route(read_child(), kwargs=_child),
    "consent:chronology_print": Route(read_child(), kwargs=_child),
    "consent:chronology_pdf": Route(read_child(), kwargs=_child),
    # Starting a journey, or checking answers with none given, goes to the first question.
    "consent:assessment_start": Route(record_child(ok=302), kwargs=_child),
    "consent:assessment_step": Route(record_child(), kwargs=_step("matter")),
    "consent:assessment_check": Route(record_child(ok=302), kwargs=_child),
    "consent:assessment_discard": Route(record_child(ok=302), kwargs=_child, method="POST"),
    "consent:consent_start": Route(record_child(ok=302), kwargs=_child),
    "consent:consent_step": Route(record_child(), kwargs=_step("purpose")),
    "consent:consent_check": Route(record_child(ok=302), kwargs=_child),
    "consent:consent_discard": Route(record_child(ok=302), kwargs=_child, method="POST"),
    "consent:assessment_detail": Route(read_child(), kwargs=_assessment),
    "consent:assessment_confirmation": Route(record_child(), kwargs=_assessment),
    "consent:consent_detail": Route(read_child(), kwargs=_consent),
    "consent:consent_confirmation": Route(record_child(), kwargs=_consent),
    "consent:consent_withdraw": Route(record_child(), kwargs=_consent),
}
