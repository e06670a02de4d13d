from audit.models import AuditEntry
from tests.url_matrix import Route, allow


def _home_agency_entry(personas) -> dict:
    """An entry about a home-agency practitioner: the outsider's IG officer could not see it."""
    from tests.audit.factories import write_entries

    [entry] = write_entries(1, actor=personas["practitioner"])
    assert AuditEntry.objects.filter(pk=entry.pk, agency=personas["practitioner"].agency).exists()
    return {"pk": entry.pk}


def _home_child(personas) -> dict:
    """A child only the home agency holds a record about."""
    from tests.decisions.factories import child_for

    return {"pk": child_for(personas["practitioner"]).pk}


def _home_request(personas) -> dict:
    """A subject access request the home agency's IG officer recorded."""
    from audit import sar
    from audit.models import SubjectAccessRequest
    from tests.decisions.factories import child_for
    from tests.factories import days_ago

    child = child_for(personas["practitioner"])
    request = SubjectAccessRequest(
        child=child,
        requester_name="Jo Bloggs",
        requester_relationship="Mother",
        identity_check="Passport seen",
        received_on=days_ago(3),
    )
    return {"pk": sar.sar_record(request=request, by=personas["ig_officer"]).pk}


def _home_redaction(personas) -> dict:
    """A name withheld from the bundle of a home-agency request in review."""
    from audit import sar
    from audit.models import SubjectAccessRequest
    from audit.sar_models import RedactionKind, SubjectAccessRedaction

    officer = personas["ig_officer"]
    request = sar.sar_start_review(
        request=SubjectAccessRequest.objects.get(pk=_home_request(personas)["pk"]), by=officer
    )
    redaction = SubjectAccessRedaction(
        request=request, kind=RedactionKind.NAME, text="Jo Bloggs", exemption="dpa2018_sch2_para16"
    )
    return {"pk": sar.redaction_add(redaction=redaction, by=officer).pk}


def _home_consultation(personas) -> dict:
    """The police consulted about a home-agency request (made directly: the matrix needs only a row)."""
    from audit.models import SubjectAccessRequest
    from audit.sar_models import SupplierConsultation
    from tests.factories import AgencyFactory, days_ago

    request = SubjectAccessRequest.objects.get(pk=_home_request(personas)["pk"])
    consultation = SupplierConsultation.objects.create(
        request=request,
        agency=AgencyFactory(),
        contact="Sam Lee",
        consulted_on=days_ago(1),
        recorded_by=personas["ig_officer"],
    )
    return {"pk": consultation.pk}


HISTORY_READERS = ("lead", "ig_officer", "partnership_ig")
ROUTES = {
    "audit:entry_list": Route(allow("ig_officer", "partnership_ig")),
    "audit:entry_export": Route(allow("ig_officer", "partnership_ig")),
    "audit:entry_detail": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_agency_entry),
    "audit:subject_access_search": Route(allow("ig_officer", "partnership_ig")),
    # The role check comes before the scoped fetch: the outsider (a practitioner) is refused
    # by role (403), as is every non-IG role; both IG officers can reach the home child.
    "audit:subject_access_child": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_child),
    # Both IG officers (the partnership-wide one sees every agency's requests); others by role.
    "audit:sar_new": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_child),
    "audit:sar_detail": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_request),
    "audit:sar_step": Route(
        allow("ig_officer", "partnership_ig", ok=302),
        kwargs=_home_request,
        method="POST",
        data=lambda personas: {"step": "start_review"},
    ),
    "audit:sar_bundle": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_request, method="POST"),
    "audit:sar_review": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_request),
    "audit:sar_redaction_new": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_request),
    "audit:sar_consultation_new": Route(allow("ig_officer", "partnership_ig", ok=302), kwargs=_home_request),
    "audit:sar_consultation_edit": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_consultation),
    "audit:sar_redaction_edit": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_redaction),
    "audit:sar_redaction_remove": Route(
        allow("ig_officer", "partnership_ig", ok=302), kwargs=_home_redaction, method="POST"
    ),
    "audit:child_history_search": Route(allow(*HISTORY_READERS)),
    # IG officers and a lead of an agency holding the child; the outsider (a practitioner) by role.
    "audit:child_history": Route(allow(*HISTORY_READERS), kwargs=_home_child),
    "audit:child_history_export": Route(allow(*HISTORY_READERS), kwargs=_home_child),
    "audit:child_history_export_xlsx": Route(allow(*HISTORY_READERS), kwargs=_home_child),
}
