"""Pages for agencies, agreements, versions, signatures, the signatory register and incidents.

Every view names its permission with ``@require`` and fetches records through
the model's ``visible_to(user)`` (reading) or ``manageable_by(user)`` (changing)
scope. Views parse the form, call a service, and redirect.
"""

import datetime
import os
from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from agreements import checklist, processing, selectors, services
from agreements.forms import (
    AgencyForm,
    AgreementForm,
    AgreementStatusForm,
    ConditionForm,
    IncidentForm,
    InviteForm,
    RegisterFilterForm,
    RepresentativeForm,
    SignatureForm,
    SignForm,
    VersionForm,
    WithdrawSignatureForm,
)
from agreements.models import (
    BREACH_KINDS,
    Agency,
    AgencyKind,
    Agreement,
    AgreementCondition,
    AgreementVersion,
    Incident,
    IncidentKind,
    NominatedRepresentative,
    PartnershipGroup,
    Signature,
    SignatureInvitation,
    SignatureState,
)
from audit.models import Event
from audit.services import record_event, record_export, record_view
from isa_portal.concurrency import EditConflict
from isa_portal.exports import csv_response, xlsx_response
from isa_portal.pdf import render_pdf
from isa_portal.web import field_display, long_date, possessive, posted, save_if_valid, short_date, url_of_pk

REGISTER_PAGE_SIZE = 50

CONFLICT_MESSAGE = (
    "Someone else changed this {thing} after you opened it. Their changes are shown below. "
    "Your answers are still in the form: check them against theirs, then save again."
)
GET_POST = require_http_methods(["GET", "POST"])


FORM_ONLY_FIELDS = frozenset({"discovered_time", "reported_time"})


def _conflict_values(form, current) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        if name == "lock_version":
            continue
        if name == "purposes":
            rows.append((str(field.label), ", ".join(current.purpose_labels()) or "None"))
        elif name in FORM_ONLY_FIELDS:  # the time half of a date and time: shown with its date
            continue
        else:
            rows.append((str(field.label), field_display(current, name)))
    return rows


def _save_versioned(request, form, save: Callable[[], object], thing: str) -> tuple[object | None, list]:
    """``save_if_valid``; on a stale edit, explain it on the form and carry the current version forward."""
    try:
        return save_if_valid(request, form, save), []
    except EditConflict as conflict:
        form.add_error(None, CONFLICT_MESSAGE.format(thing=thing))
        form.data = form.data.copy()
        form.data["lock_version"] = str(conflict.current.lock_version)
        return None, _conflict_values(form, conflict.current)


def _form_flow(
    request, form, save: Callable[[], object], *, done, versioned: str = "", success: str = "", **page
):
    """The one shape of every form page here: on a valid POST, ``save`` (a service call) and go
    to ``done`` (a URL, or a function of what was saved) with the ``success`` banner; otherwise
    the form page again, with its errors (and, for a stale edit of a ``versioned`` record, the
    values the other person saved)."""
    if versioned:
        saved, conflict = _save_versioned(request, form, save, versioned)
    else:
        saved, conflict = save_if_valid(request, form, save), []
    if saved is None:
        return _form_page(request, form, conflict=conflict, **page)
    if success:
        messages.success(request, success)
    return redirect(done(saved) if callable(done) else done)


def _form_page(
    request,
    form,
    *,
    heading: str,
    back_url: str,
    caption: str = "",
    status: int = 200,
    template: str = "agreements/form_page.html",
    **extra,
):
    context = {
        "form": form,
        "heading": heading,
        "caption": caption,
        "back_url": back_url,
        "cancel_url": back_url,
        **extra,
    }
    return render(request, template, context, status=status)


def _can_manage(user) -> bool:
    return user.can(Perm.MANAGE_PARTNERSHIP)


def _agency_rows():
    return Agency.objects.select_related("commissioned_by").prefetch_related(
        Prefetch("representatives", queryset=NominatedRepresentative.objects.filter(ended_on__isnull=True))
    )


# Agencies


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = _agency_rows().filter(pk__in=Agency.objects.visible_to(request.user).values("pk"))
    today = timezone.localdate()
    rows = [(agency, agency.ico_state(today)) for agency in agencies]
    return render(
        request,
        "agreements/agency_list.html",
        {
            "rows": rows,
            "can_create": request.user.can(Perm.MANAGE_PARTNERSHIP) and request.user.partnership_wide,
        },
    )


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_visible_or_404(Agency.objects.select_related("commissioned_by"), request.user, pk=pk)
    signatures = (
        Signature.objects.visible_to(request.user)
        .filter(agency=agency)
        .select_related("agreement", "version", "representative", "recorded_by")
        .order_by("agreement__title", "-signed_on", "-id")
    )
    return render(
        request,
        "agreements/agency_detail.html",
        {
            "agency": agency,
            "ico_state": agency.ico_state(),
            "representatives": agency.representatives.all(),
            "signatures": signatures,
            "providers": agency.commissioned_providers.all(),
            "can_manage": Agency.objects.manageable_by(request.user).filter(pk=agency.pk).exists(),
        },
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def agency_create(request: HttpRequest) -> HttpResponse:
    if not request.user.partnership_wide:
        raise PermissionDenied  # an agency administrator manages their own agency, not the membership
    form = AgencyForm(posted(request), by=request.user)
    return _form_flow(
        request,
        form,
        lambda: services.agency_create(agency=form.save(commit=False), by=request.user),
        done=lambda agency: reverse("agreements:agency_detail", args=[agency.pk]),
        success="Agency added",
        heading="Add an agency",
        back_url=reverse("agreements:agency_list"),
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.manageable_by(request.user), pk=pk)
    form = AgencyForm(posted(request), instance=agency, by=request.user)
    return _form_flow(
        request,
        form,
        lambda: services.agency_update(
            agency=form.instance, lock_version=form.cleaned_data["lock_version"], by=request.user
        ),
        versioned="agency",
        done=reverse("agreements:agency_detail", args=[pk]),
        heading=f"Change {agency.name}" if not form.is_bound else "Change agency",
        back_url=reverse("agreements:agency_detail", args=[pk]),
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def representative_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.manageable_by(request.user), pk=pk)
    form = RepresentativeForm(posted(request))
    current = agency.current_representative
    return _form_flow(
        request,
        form,
        lambda: services.representative_appoint(agency=agency, by=request.user, **form.cleaned_data),
        done=reverse("agreements:agency_detail", args=[pk]),
        success="Nominated representative recorded",
        heading="Record a new nominated representative",
        caption=agency.name,
        back_url=reverse("agreements:agency_detail", args=[pk]),
        intro=(
            f"{current.name} is the nominated representative now. Their time in post ends on the "
            "day the new representative starts; the history is kept."
            if current
            else "No nominated representative is recorded yet."
        ),
    )


# Agreements


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = (
        Agreement.objects.visible_to(request.user)
        .select_related("owner", "parent")
        .prefetch_related("versions", "purposes")
    )
    today = timezone.localdate()
    rows = [(a, selectors.version_in_force(a, today)) for a in agreements]
    return render(
        request,
        "agreements/agreement_list.html",
        {"rows": rows, "can_manage": _can_manage(request.user), "today": today},
    )


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_visible_or_404(
        Agreement.objects.select_related("owner", "parent").prefetch_related(
            "versions", "purposes", "children"
        ),
        request.user,
        pk=pk,
    )
    today = timezone.localdate()
    in_force = selectors.version_in_force(agreement, today)
    signatures = (
        Signature.objects.visible_to(request.user)
        .filter(agreement=agreement)
        .exclude(state=SignatureState.REPLACED)
        .select_related("agency", "version", "recorded_by")
        .order_by("agency__name", "-id")
    )
    manageable = Agreement.objects.manageable_by(request.user).filter(pk=agreement.pk).exists()
    # Only the signatures this person may withdraw get a "Withdraw" link (their own agency's, or
    # any for a partnership-wide administrator): no link that leads to "Page not found".
    withdrawable = set()
    if _can_manage(request.user):
        mine = Signature.objects.manageable_by(request.user).filter(agreement=agreement)
        withdrawable = set(mine.values_list("pk", flat=True))
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "in_force": in_force,
            "versions": sorted(agreement.versions.all(), key=lambda v: -v.pk),
            "signatures": signatures,
            "can_manage": manageable,
            "can_sign": _can_manage(request.user),
            "withdrawable": withdrawable,
            "today": today,
            "checklist": checklist.rows(agreement, today),
        },
    )


def _owners(user):
    return Agency.objects.manageable_by(user).filter(is_active=True)


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def agreement_create(request: HttpRequest) -> HttpResponse:
    form = AgreementForm(posted(request), owners=_owners(request.user))
    return _form_flow(
        request,
        form,
        lambda: services.agreement_create(
            agreement=form.save(commit=False), purposes=form.cleaned_data["purposes"], by=request.user
        ),
        done=lambda agreement: reverse("agreements:agreement_detail", args=[agreement.pk]),
        success="Agreement added",
        heading="Add an agreement",
        back_url=reverse("agreements:agreement_list"),
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.manageable_by(request.user), pk=pk)
    form = AgreementForm(posted(request), instance=agreement, owners=_owners(request.user))
    return _form_flow(
        request,
        form,
        lambda: services.agreement_update(
            agreement=form.instance,
            purposes=form.cleaned_data["purposes"],
            lock_version=form.cleaned_data["lock_version"],
            by=request.user,
        ),
        versioned="agreement",
        done=reverse("agreements:agreement_detail", args=[pk]),
        heading="Change agreement",
        caption=agreement.title,
        back_url=reverse("agreements:agreement_detail", args=[pk]),
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def agreement_status(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.manageable_by(request.user), pk=pk)
    form = AgreementStatusForm(posted(request), agreement=agreement)
    return _form_flow(
        request,
        form,
        lambda: services.agreement_change_status(
            agreement=agreement,
            status=form.cleaned_data["status"],
            lock_version=form.cleaned_data["lock_version"],
            by=request.user,
        ),
        versioned="agreement",
        done=reverse("agreements:agreement_detail", args=[pk]),
        heading="Change the status",
        caption=agreement.title,
        back_url=reverse("agreements:agreement_detail", args=[pk]),
        intro=f"The agreement is {agreement.get_status_display().lower()} now.",
    )


# Versions


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    manageable = Agreement.objects.manageable_by(request.user).filter(pk=version.agreement_id).exists()
    return render(
        request,
        "agreements/version_detail.html",
        {
            "version": version,
            "agreement": version.agreement,
            "in_force": selectors.version_in_force(version.agreement, timezone.localdate()),
            "can_manage": manageable,
            "conditions": list(version.conditions.all()),
            # Conditions are part of what is signed: they change only before anyone signs.
            "conditions_open": manageable and not version.signatures.exists(),
        },
    )


def _manageable_version(request: HttpRequest, pk: int) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.manageable_by(request.user)
        ),
        pk=pk,
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def condition_add(request: HttpRequest, pk: int) -> HttpResponse:
    version = _manageable_version(request, pk)
    form = ConditionForm(posted(request), instance=AgreementCondition(version=version))
    back = reverse("agreements:version_detail", args=[pk])
    return _form_flow(
        request,
        form,
        lambda: services.condition_add(condition=form.save(commit=False), by=request.user),
        done=back,
        success="Condition added",
        heading=f"Add a condition to version {version.number}",
        caption=version.agreement.title,
        back_url=back,
        intro="Decisions that rely on this version are checked against its conditions. Quote the clause "
        "as the document numbers and words it: a practitioner whose share breaks it is told the clause.",
    )


@require(Perm.MANAGE_PARTNERSHIP)
@require_http_methods(["POST"])
def condition_remove(request: HttpRequest, pk: int) -> HttpResponse:
    condition = get_object_or_404(
        AgreementCondition.objects.select_related("version__agreement").filter(
            version__agreement__in=Agreement.objects.manageable_by(request.user)
        ),
        pk=pk,
    )
    try:
        services.condition_remove(condition=condition, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Condition removed")
    return redirect("agreements:version_detail", pk=condition.version_id)


def _upload(request: HttpRequest):
    """The posted fields and files (parsing the body, which also runs the upload size limit)."""
    if request.method != "POST":
        return None, None
    return request.POST, request.FILES


def _oversized(request: HttpRequest, field: str) -> bool:
    """Whether ``isa_portal.uploads`` dropped this field's file for being too large."""
    return field in getattr(request, "oversized_uploads", ())


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement.objects.manageable_by(request.user), pk=pk)
    data, files = _upload(request)
    form = VersionForm(
        data, files, instance=AgreementVersion(agreement=agreement), oversized=_oversized(request, "document")
    )
    return _form_flow(
        request,
        form,
        lambda: services.version_create(version=form.save(commit=False), by=request.user),
        done=reverse("agreements:agreement_detail", args=[pk]),
        success="Version added",
        heading="Add a version",
        caption=agreement.title,
        back_url=reverse("agreements:agreement_detail", args=[pk]),
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.manageable_by(request.user)
        ),
        pk=pk,
    )
    data, files = _upload(request)
    form = VersionForm(data, files, instance=version, oversized=_oversized(request, "document"))
    return _form_flow(
        request,
        form,
        lambda: services.version_update(version=form.save(commit=False), by=request.user),
        done=reverse("agreements:version_detail", args=[pk]),
        heading=f"Change version {version.number}",
        caption=version.agreement.title,
        back_url=reverse("agreements:version_detail", args=[pk]),
        intro="This version has been signed off: its text is fixed. You can change the review date."
        if version.is_signed_off
        else "",
    )


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def version_document(request: HttpRequest, pk: int) -> FileResponse:
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    if not version.document:
        raise Http404
    try:
        handle = version.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=version.download_filename(), content_type="application/pdf"
    )
    record_event(Event.DOWNLOAD, version, detail={"filename": version.download_filename()})
    return response


# Signatures


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def signature_create(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.visible_to(request.user)
        ),
        pk=pk,
    )
    agencies = Agency.objects.manageable_by(request.user).filter(is_active=True)
    data, files = _upload(request)
    form = SignatureForm(data, files, agencies=agencies, oversized=_oversized(request, "evidence"))
    return _form_flow(
        request,
        form,
        lambda: services.signature_record(version=version, by=request.user, **form.cleaned_data),
        done=lambda signature: reverse("agreements:signature_detail", args=[signature.pk]),
        success="Paper signature recorded",
        heading=f"Record a paper signature of version {version.number}",
        caption=version.agreement.title,
        back_url=reverse("agreements:agreement_detail", args=[version.agreement_id]),
        intro="A nominated representative signs online when invited. Record a signature here only when "
        "it was signed on paper: upload the scan of the signed page, which is kept as its evidence. "
        "Each agency signs in its own right: a commissioner's signature does not cover the "
        "providers it commissions.",
    )


def _version_visible(user, pk: int) -> AgreementVersion:
    return get_object_or_404(
        AgreementVersion.objects.select_related("agreement").filter(
            agreement__in=Agreement.objects.visible_to(user)
        ),
        pk=pk,
    )


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def signature_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask an agency's nominated representative to sign a version: they sign online themselves."""
    version = _version_visible(request.user, pk)
    agencies = Agency.objects.manageable_by(request.user).filter(is_active=True)
    form = InviteForm(posted(request), agencies=agencies)
    return _form_flow(
        request,
        form,
        lambda: services.signature_invite(
            version=version, agency=form.cleaned_data["agency"], by=request.user
        ),
        done=reverse("agreements:agreement_detail", args=[version.agreement_id]),
        success="Invitation sent to the nominated representative",
        heading=f"Invite a nominated representative to sign version {version.number}",
        caption=version.agreement.title,
        back_url=reverse("agreements:agreement_detail", args=[version.agreement_id]),
        intro="The agency's nominated representative is emailed a link. They sign in with the account "
        "of that email address (one is made for them if they have none, which reads agreements and "
        "nothing else), read the version, confirm the signature page's statements and sign. Inviting "
        "them again sends nothing more.",
    )


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def signatures_waiting(request: HttpRequest) -> HttpResponse:
    """Agreements waiting for the signed-in person's signature, as their agency's representative."""
    invitations = (
        SignatureInvitation.objects.waiting_for(request.user)
        .select_related("version__agreement", "agency", "invited_by")
        .order_by("invited_at", "pk")
    )
    return render(request, "agreements/signatures_waiting.html", {"invitations": invitations})


def _signed_before(invitation: SignatureInvitation) -> Signature | None:
    """The agency's live signature of an earlier version of the same agreement, if any."""
    return (
        Signature.objects.live()
        .filter(agency_id=invitation.agency_id, agreement_id=invitation.version.agreement_id)
        .exclude(version_id=invitation.version_id)
        .select_related("version")
        .first()
    )


@require(Perm.VIEW_AGREEMENTS)
@GET_POST
def signature_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The nominated representative reads the version, confirms each statement and signs.

    Anyone else (an administrator too) is told the page does not exist: only the invitation's
    representative, signed in with the account of their email address, sees it."""
    invitation = get_object_or_404(
        SignatureInvitation.objects.waiting_for(request.user).select_related(
            "version__agreement__owner", "agency"
        ),
        pk=pk,
    )
    version = invitation.version
    form = SignForm(
        posted(request), initial={"role": request.user.job_title, "group": invitation.agency.group}
    )
    return _form_flow(
        request,
        form,
        lambda: services.signature_sign(invitation=invitation, by=request.user, **form.cleaned_data),
        done=lambda signature: reverse("agreements:signature_detail", args=[signature.pk]),
        success=f"You have signed version {version.number} for {invitation.agency.name}",
        heading=f"Sign version {version.number} of {version.agreement.title}",
        caption=f"For {invitation.agency.name}",
        back_url=reverse("agreements:signatures_waiting"),
        template="agreements/sign.html",
        version=version,
        agreement=version.agreement,
        invitation=invitation,
        signed_before=_signed_before(invitation),
    )


def _signature_visible(user, pk: int) -> Signature:
    return get_visible_or_404(
        Signature.objects.select_related(
            "agency", "agreement", "version", "recorded_by", "signer", "representative"
        ),
        user,
        pk=pk,
    )


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def signature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A signature and its evidence, and whether the version it binds to still reads the same."""
    from agreements import evidence

    signature = _signature_visible(request.user, pk)
    return render(
        request,
        "agreements/signature_detail.html",
        {
            "signature": signature,
            "hash": evidence.hash_check(signature),
            "source": evidence.STATEMENTS_SOURCE,
            "intro": evidence.STATEMENTS_INTRO,
        },
    )


def _private_file(field, filename: str, content_type: str) -> FileResponse:
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def signature_page(request: HttpRequest, pk: int) -> FileResponse:
    signature = _signature_visible(request.user, pk)
    filename = f"signature-page-{signature.pk}.pdf"
    response = _private_file(signature.signature_page, filename, "application/pdf")
    record_event(Event.DOWNLOAD, signature, detail={"filename": filename})
    return response


SCAN_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def signature_scan(request: HttpRequest, pk: int) -> FileResponse:
    signature = _signature_visible(request.user, pk)
    extension = os.path.splitext(signature.evidence.name or "")[1].lower()
    filename = f"signature-scan-{signature.pk}{extension}"
    response = _private_file(
        signature.evidence, filename, SCAN_TYPES.get(extension, "application/octet-stream")
    )
    record_event(Event.DOWNLOAD, signature, detail={"filename": filename})
    return response


@require(Perm.MANAGE_PARTNERSHIP)
@GET_POST
def signature_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    signature = get_object_or_404(
        Signature.objects.manageable_by(request.user).select_related("agency", "version", "agreement"), pk=pk
    )
    form = WithdrawSignatureForm(posted(request))
    return _form_flow(
        request,
        form,
        lambda: services.signature_withdraw(
            signature=signature,
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        ),
        done=reverse("agreements:agreement_detail", args=[signature.agreement_id]),
        success="Signature withdrawn",
        heading=f"Withdraw {possessive(signature.agency)} signature",
        caption=f"{signature.agreement}, version {signature.version.number}",
        back_url=reverse("agreements:agreement_detail", args=[signature.agreement_id]),
    )


# The signatory register

REGISTER_HEADER = [
    "Agreement",
    "Tier",
    "Version in force",
    "Agency",
    "Kind of agency",
    "Group",
    "Signature",
    "Version signed",
    "Date signed",
    "Signed by",
    "Role",
    "Withdrawn on",
    "Reason withdrawn",
    "Nominated representative",
    "Representative email",
    "ICO registration number",
    "ICO registration",
    "ICO registration expires",
    "Note",
    # Issue 20: the signature's evidence, after the columns that were there before.
    "Agency's name when signed",
    "How signed",
    "Version fingerprint (SHA-256)",
]


def _register_cells(row: selectors.RegisterRow) -> list:
    """One row of the export. A signed row names the signer and representative as they were when it
    was signed (issue 20); an unsigned row names today's representative, who is asked to sign."""
    s = row.signature
    rep = row.representative
    rep_name, rep_email = (
        (s.representative_name, s.representative_email) if s else ((rep.name, rep.email) if rep else ("", ""))
    )
    return [
        row.agreement.title,
        row.agreement.get_tier_display(),
        row.version.number if row.version else "",
        row.agency.name,
        row.agency.get_kind_display(),
        row.agency.get_group_display(),
        row.state_label,
        s.version.number if s else "",
        s.signed_on.isoformat() if s else "",
        s.signed_by_name if s else "",
        s.signed_by_role if s else "",
        s.withdrawn_on.isoformat() if s and s.withdrawn_on else "",
        s.withdrawal_reason if s else "",
        rep_name,
        rep_email,
        row.agency.ico_registration_number,
        row.ico_state.label,
        row.agency.ico_registration_expires_on.isoformat() if row.agency.ico_registration_expires_on else "",
        row.commissioner_note,
        s.agency_name if s else "",
        s.how_signed if s else "",
        s.version_sha256 if s else "",
    ]


class RegisterLine(NamedTuple):
    """A row of the register's page as text, each cell escaped by the template."""

    agreement_url: str
    agreement: str
    version: str  # the version in force, if any
    agency_url: str
    agency: str
    agency_kind: str
    agency_group: str  # lower case, after the kind
    state_tag: str
    state: str
    signature_url: str  # "": not signed
    signed_version: str
    signed_on: str
    signature_of: str  # for screen readers: whose signature of what the link opens
    withdrawn_on: str
    signed_by: str
    signed_as: str  # the agency's name when it signed, where it has changed since
    how_signed: str
    commissioner_note: str
    representative: str
    representative_email: str
    has_representative: bool  # today's, named on an unsigned row
    ico_tag: str
    ico_state: str


def register_lines(rows: list[selectors.RegisterRow]) -> list[RegisterLine]:
    """The page's rows as text. Written here rather than through the template's lookups, filters
    (``date``, ``possessive``), ``get_*_display`` and ``{% url %}``, which cost more than reading
    the rows did, fifty rows a page."""
    agreement_url = url_of_pk("agreements:agreement_detail")
    agency_url = url_of_pk("agreements:agency_detail")
    signature_url = url_of_pk("agreements:signature_detail")
    kinds = {value: str(label) for value, label in AgencyKind.choices}
    groups = {value: str(label).lower() for value, label in PartnershipGroup.choices}
    lines = []
    for row in rows:
        agreement, agency, s, rep = row.agreement, row.agency, row.signature, row.representative
        # A signed row names the representative as they were when it signed; an unsigned row
        # names today's, who is asked to sign.
        if s is not None:
            representative, email = (s.representative_name or "Not recorded"), s.representative_email
        elif rep is not None:
            representative, email = rep.name, rep.email
        else:
            representative, email = "", ""
        lines.append(
            RegisterLine(
                agreement_url=agreement_url(agreement.pk),
                agreement=agreement.title,
                version=row.version.number if row.version else "",
                agency_url=agency_url(agency.pk),
                agency=agency.name,
                agency_kind=kinds.get(agency.kind, agency.kind),
                agency_group=groups.get(agency.group, agency.group),
                state_tag=row.state_tag,
                state=row.state_label,
                signature_url=signature_url(s.pk) if s else "",
                signed_version=s.version.number if s else "",
                signed_on=short_date(s.signed_on) if s else "",
                signature_of=f"{possessive(agency.name)} signature of {agreement.title}" if s else "",
                withdrawn_on=short_date(s.withdrawn_on) if s and s.withdrawn_on else "",
                signed_by=f"{s.signed_by_name}, {s.signed_by_role}" if s else "",
                signed_as=s.agency_name if s and s.agency_name and s.agency_name != agency.name else "",
                how_signed=s.how_signed if s else "",
                commissioner_note=row.commissioner_note,
                representative=representative,
                representative_email=email,
                has_representative=rep is not None,
                ico_tag=row.ico_state.tag,
                ico_state=row.ico_state.label,
            )
        )
    return lines


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def signatory_register(request: HttpRequest) -> HttpResponse:
    filters = RegisterFilterForm(request.GET or None, agreements=Agreement.objects.visible_to(request.user))
    agencies = selectors.register_agencies().filter(
        pk__in=Agency.objects.visible_to(request.user).values("pk")
    )
    state = needs = ""
    applied = {}
    valid = filters.is_valid()
    # The filter's options are the register's agreements, with their versions: read once for both.
    agreements = filters.fields["agreement"].options()
    if valid:
        data = applied = filters.cleaned_data
        if data["agreement"]:
            agreements = [data["agreement"]]
        if data["kind"]:
            agencies = agencies.filter(kind=data["kind"])
        if data["group"]:
            agencies = agencies.filter(group=data["group"])
        if data["q"]:
            agencies = agencies.filter(name__icontains=data["q"])
        if data["agency"]:
            agencies = agencies.filter(pk=data["agency"])
        state, needs = data["state"], data["needs"]
    export = request.GET.get("format")
    # A download has every row whole, so it reads every signature whole; the page reads only their
    # states for every row (its figures and filters need them) and the rows it shows whole.
    latest = selectors.latest_signatures(agreements) if export in ("csv", "xlsx") else None
    entries = selectors.register_entries(
        agreements=agreements, agencies=list(agencies), on=timezone.localdate(), latest=latest
    )
    # The figures count every row the other filters leave, whatever state or category is asked for.
    to_sign = selectors.to_sign_by_agreement(entries)
    if state:
        entries = [entry for entry in entries if entry.state == state]
    if needs:
        entries = [e for e in entries if e.still_to_sign and needs in ("any", e.still_to_sign)]
    if export in ("csv", "xlsx"):
        rows = selectors.register_details(entries, latest=latest)
        stamp = timezone.localdate().isoformat()
        cells = (_register_cells(row) for row in rows)
        if export == "csv":
            response = csv_response(
                filename=f"signatory-register-{stamp}.csv", header=REGISTER_HEADER, rows=cells
            )
        else:
            response = xlsx_response(
                filename=f"signatory-register-{stamp}.xlsx",
                sheet_title="Signatory register",
                header=REGISTER_HEADER,
                rows=cells,
            )
        record_export(
            Signature,
            label=f"Signatory register ({export.upper()})",
            format=export,
            rows=len(rows),
            # The filters as understood, never the raw query string (it may hold anything).
            filters={k: str(getattr(v, "pk", v)) for k, v in applied.items() if v},
        )
        return response
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    # Every agency against every agreement runs to hundreds of rows: shown a page at a time (their
    # states are worked out in memory, so no count is asked of the database), and only the page's
    # rows are read whole; downloads have all.
    page = Paginator(entries, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.register_details(page.object_list)
    return render(
        request,
        "agreements/signatory_register.html",
        {
            "page": page,
            "lines": register_lines(page.object_list),
            "filters": filters,
            "query": query.urlencode(),
            "to_sign": to_sign,
            "to_sign_agency": applied.get("agency"),
        },
    )


# Incidents


@require(Perm.VIEW_INCIDENTS)
@require_safe
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = Incident.objects.visible_to(request.user).select_related("agency", "agreement", "decision")
    kind = request.GET.get("kind", "")
    if kind in IncidentKind.values:
        incidents = incidents.filter(kind=kind)
    elif kind == "breach":
        incidents = incidents.filter(kind__in=sorted(BREACH_KINDS))
    now = timezone.now()
    incidents = list(incidents)
    for incident in incidents:
        incident.deadline = _clock_shown(incident, now)
    return render(
        request,
        "agreements/incident_list.html",
        {
            "incidents": incidents,
            "kind": kind,
            "kinds": [
                ("", "All"),
                ("breach", "Breaches"),
                (IncidentKind.COMPLAINT, "Complaints"),
                (IncidentKind.CHALLENGE, "Challenges to a decision not to share"),
            ],
            "can_manage": request.user.can(Perm.MANAGE_INCIDENTS),
            "year": timezone.localdate().year,
        },
    )


def _clock_shown(incident: Incident, now) -> dict | None:
    """A breach's ICO deadline or a complaint's acknowledgement deadline, and where it stands."""
    clock = incident.clock
    if clock is None:
        return None
    state = clock.state(now)
    due = clock.due
    if due is None:
        when = ""
    elif isinstance(due, datetime.datetime):
        local = timezone.localtime(due)
        when = f"{long_date(local)}, {local:%H:%M}"
    else:
        when = long_date(due)
    return {"name": clock.name, "due": when, "state": state, "label": state.label}


@require(Perm.VIEW_INCIDENTS)
@require_safe
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_visible_or_404(
        Incident.objects.select_related("agency", "agreement", "recorded_by", "decision"), request.user, pk=pk
    )
    response = render(
        request,
        "agreements/incident_detail.html",
        {
            "incident": incident,
            "can_manage": request.user.can(Perm.MANAGE_INCIDENTS),
            "clock": _clock_shown(incident, timezone.now()),
        },
    )
    record_view(incident)
    return response


@require(Perm.MANAGE_INCIDENTS)
@GET_POST
def incident_create(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(
        posted(request), agencies=Agency.objects.in_scope_of(request.user), decisions=_nameable(request.user)
    )
    return _form_flow(
        request,
        form,
        lambda: services.incident_create(incident=form.save(commit=False), by=request.user),
        done=lambda incident: reverse("agreements:incident_detail", args=[incident.pk]),
        success="Incident recorded",
        heading="Record an incident",
        back_url=reverse("agreements:incident_list"),
    )


@require(Perm.MANAGE_INCIDENTS)
@GET_POST
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_visible_or_404(Incident, request.user, pk=pk)
    agencies = Agency.objects.in_scope_of(request.user)
    form = IncidentForm(
        posted(request), instance=incident, agencies=agencies, decisions=_nameable(request.user)
    )
    return _form_flow(
        request,
        form,
        lambda: services.incident_update(
            incident=form.instance, lock_version=form.cleaned_data["lock_version"], by=request.user
        ),
        versioned="incident",
        done=reverse("agreements:incident_detail", args=[pk]),
        heading="Change incident",
        caption=incident.reference,
        back_url=reverse("agreements:incident_detail", args=[pk]),
    )


@require(Perm.VIEW_INCIDENTS)
@require_safe
def record_of_processing(request: HttpRequest, fmt: str = "xlsx") -> HttpResponse:
    """Each agreement in force against each agency: the record of processing an IG officer keeps."""
    now = timezone.localtime()
    preamble = [
        ("Covers", "Every agreement in force or under review, against every active agency"),
        ("Exported by", request.user.full_name or request.user.email),
        ("As at", f"{long_date(now)}, {now:%H:%M}"),
    ]
    record_export(Agreement, label=f"Record of processing ({fmt.upper()})")
    title = "Record of processing: information sharing"
    filename = f"record-of-processing-{now:%Y%m%d}.{fmt}"
    if fmt == "csv":
        rows = (
            [long_date(v) if isinstance(v, datetime.date) else v for v in row] for row in processing.rows()
        )
        return csv_response(
            filename=filename, header=processing.HEADER, rows=rows, title=title, preamble=preamble, bom=True
        )
    return xlsx_response(
        filename=filename,
        sheet_title="Record of processing",
        header=processing.HEADER,
        rows=processing.rows(),
        title=title,
        preamble=preamble,
    )


def _nameable(user):
    """The decisions an incident may name: submitted ones the user may see."""
    from decisions.models import Decision

    return Decision.objects.visible_to(user).submitted()


def _summary_year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1900 <= year <= 2200 else timezone.localdate().year


def _summary_context(request: HttpRequest) -> dict:
    incidents = Incident.objects.visible_to(request.user)
    year = _summary_year(request)
    scope = "the whole partnership" if request.user.partnership_wide else str(request.user.agency)
    summary = selectors.incident_summary(incidents, year=year)
    return {
        "summary": summary,
        "summary_tables": [
            ("By kind", "Kind", summary.by_kind),
            ("By agency", "Agency", summary.by_agency),
            ("By outcome (closed incidents)", "Outcome", summary.by_outcome),
        ],
        "years": selectors.incident_years(incidents),
        "scope": scope,
        "generated_on": timezone.localdate(),
    }


@require(Perm.VIEW_INCIDENTS)
@require_safe
def incident_summary(request: HttpRequest) -> HttpResponse:
    return render(request, "agreements/incident_summary.html", _summary_context(request))


@require(Perm.VIEW_INCIDENTS)
@require_safe
def incident_summary_pdf(request: HttpRequest) -> HttpResponse:
    context = _summary_context(request)
    pdf = render_pdf("agreements/incident_summary_pdf.html", context, request=request)
    year = context["summary"].year
    record_export(Incident, label=f"Annual incident summary {year} (PDF)", year=year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="incident-summary-{year}.pdf"'
    return response


# Comparing two versions (issue 20, item 5)


def _compare_defaults(agreement: Agreement, versions: list, user, in_force) -> tuple:
    """Before: the version this person's agency last signed (if not the one in force), else the
    one before; after: the version in force, else the newest."""
    after = in_force or versions[-1]
    signed = (
        Signature.objects.live()
        .filter(agreement=agreement, agency_id=user.agency_id)
        .exclude(version_id=after.pk)
        .order_by("-signed_on", "-pk")
        .first()
    )
    if signed is not None:
        return signed.version, after
    earlier = [v for v in versions if v.pk < after.pk]
    return (earlier[-1] if earlier else versions[0]), after


def _chosen_version(request: HttpRequest, name: str, versions: dict, default):
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) not in versions:
        raise Http404("That version is not a version of this agreement.")
    return versions[int(value)]


@require(Perm.VIEW_AGREEMENTS)
@require_safe
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    from agreements import compare

    agreement = get_visible_or_404(Agreement.objects.prefetch_related("versions"), request.user, pk=pk)
    versions = sorted(agreement.versions.all(), key=lambda v: v.pk)
    context = {"agreement": agreement, "versions": versions}
    if len(versions) >= 2:
        in_force = selectors.version_in_force(agreement, timezone.localdate())
        before, after = _compare_defaults(agreement, versions, request.user, in_force)
        by_pk = {v.pk: v for v in versions}
        before = _chosen_version(request, "before", by_pk, before)
        after = _chosen_version(request, "after", by_pk, after)
        context.update(
            before=before,
            after=after,
            in_force=in_force,
            rows=compare.text_rows(before.text, after.text),
            changes=compare.field_changes(before, after),
        )
    return render(request, "agreements/version_compare.html", context)
