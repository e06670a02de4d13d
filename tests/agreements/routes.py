"""Who may use each page of the agreements part (see tests/url_matrix.py).

Object URLs are built on records owned by the home agency. Agencies and agreements
are partnership documents every signed-in user reads; changing them is for admins
(and, for an agency admin, only their own agency's). The incident register is for
IG officers (who keep it) and admins (who read it).
"""

from django.core.files.base import ContentFile

from tests.agreements.factories import (
    AgreementFactory,
    IncidentFactory,
    RepresentativeFactory,
    SignatureFactory,
    VersionFactory,
    in_force_agreement,
    registered,
)
from tests.url_matrix import PERSONAS, Route, allow

READERS = allow(*PERSONAS)
ADMIN = allow("admin")
INCIDENT_READERS = allow("ig_officer", "partnership_ig", "admin")
INCIDENT_KEEPERS = allow("ig_officer", "partnership_ig")


def _home(personas):
    return personas["admin"].agency


def _agreement(personas):
    return {"pk": AgreementFactory(owner=_home(personas)).pk}


def _version(personas):
    return {"pk": VersionFactory(agreement=AgreementFactory(owner=_home(personas))).pk}


def _version_with_pdf(personas):
    version = VersionFactory(agreement=AgreementFactory(owner=_home(personas)))
    version.document.save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return {"pk": version.pk}


def _version_in_force(personas):
    return {"pk": in_force_agreement(owner=_home(personas))[1].pk}


def _signature(personas):
    _, version = in_force_agreement(owner=_home(personas))
    return {"pk": SignatureFactory(version=version, agency=_home(personas)).pk}


def _signature_with(field):
    def kwargs(personas):
        _, version = in_force_agreement(owner=_home(personas))
        signature = SignatureFactory(version=version, agency=_home(personas))
        getattr(signature, field).save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
        return {"pk": signature.pk}

    return kwargs


def _invitation_to_the_lead(personas):
    """An invitation to sign, addressed to the home agency's representative: the lead persona."""
    from agreements.models import SignatureInvitation

    home = registered(_home(personas))
    _, version = in_force_agreement(owner=home)
    # Several routes ask for one, and an agency holds one current post: the same one each time.
    representative = home.current_representative or RepresentativeFactory(agency=home)
    representative.email = personas["lead"].email
    representative.save()
    invitation = SignatureInvitation.objects.create(
        version=version,
        agency=home,
        representative=representative,
        email=representative.email,
        account=personas["lead"],
        invited_by=personas["admin"],
    )
    return {"pk": invitation.pk}


def _condition(personas):
    from agreements.models import AgreementCondition

    version = VersionFactory(agreement=AgreementFactory(owner=_home(personas)))
    condition = AgreementCondition.objects.create(
        version=version,
        kind="consent_required",
        purposes=["safeguarding"],
        clause="clause 1",
        wording="Consent first.",
    )
    return {"pk": condition.pk}


def _incident(personas):
    return {"pk": IncidentFactory(agency=_home(personas)).pk}


ROUTES = {
    "agreements:agreement_list": Route(READERS),
    "agreements:agreement_create": Route(ADMIN),
    "agreements:agreement_detail": Route(READERS, kwargs=_agreement),
    "agreements:agreement_edit": Route(ADMIN, kwargs=_agreement),
    "agreements:agreement_status": Route(ADMIN, kwargs=_agreement),
    "agreements:version_create": Route(ADMIN, kwargs=_agreement),
    "agreements:version_detail": Route(READERS, kwargs=_version),
    "agreements:version_compare": Route(READERS, kwargs=_agreement),
    "agreements:version_edit": Route(ADMIN, kwargs=_version),
    "agreements:version_document": Route(READERS, kwargs=_version_with_pdf),
    "agreements:signature_create": Route(ADMIN, kwargs=_version_in_force),
    "agreements:signature_withdraw": Route(ADMIN, kwargs=_signature),
    "agreements:signature_invite": Route(ADMIN, kwargs=_version_in_force),
    "agreements:signatures_waiting": Route(READERS),
    # Only the invitation's representative (here the lead) sees it; to anyone else it does not exist.
    "agreements:signature_sign": Route(allow("lead", denied=404), kwargs=_invitation_to_the_lead),
    "agreements:signature_detail": Route(READERS, kwargs=_signature),
    "agreements:signature_page": Route(READERS, kwargs=_signature_with("signature_page")),
    "agreements:signature_scan": Route(READERS, kwargs=_signature_with("evidence")),
    "agreements:condition_add": Route(ADMIN, kwargs=_version),
    "agreements:condition_remove": Route(allow("admin", ok=302), kwargs=_condition, method="POST"),
    "agreements:signatory_register": Route(READERS),
    "agreements:agency_list": Route(READERS),
    # Adding an agency is for a partnership-wide admin; the matrix's admin manages one agency.
    "agreements:agency_create": Route(allow()),
    "agreements:agency_detail": Route(READERS, kwargs=lambda p: {"pk": _home(p).pk}),
    "agreements:agency_edit": Route(ADMIN, kwargs=lambda p: {"pk": _home(p).pk}),
    "agreements:representative_appoint": Route(ADMIN, kwargs=lambda p: {"pk": _home(p).pk}),
    "agreements:incident_list": Route(INCIDENT_READERS),
    "agreements:record_of_processing": Route(INCIDENT_READERS),
    "agreements:record_of_processing_csv": Route(INCIDENT_READERS),
    "agreements:incident_create": Route(INCIDENT_KEEPERS),
    "agreements:incident_detail": Route(INCIDENT_READERS, kwargs=_incident),
    "agreements:incident_edit": Route(INCIDENT_KEEPERS, kwargs=_incident),
    "agreements:incident_summary": Route(INCIDENT_READERS),
    "agreements:incident_summary_pdf": Route(INCIDENT_READERS),
}
