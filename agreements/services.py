"""Writes about agencies, agreements, signatures and incidents.

Each function validates, saves in one transaction with its named audit event
(``audit.services.record_event``; django-auditlog adds each row's field changes) and
returns the record. A rule that is broken raises ``ValidationError`` naming the field,
so a form can show it beside the answer; nothing is saved.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements import checklist
from agreements import evidence as evidence_module
from agreements.models import (
    STATUS_TRANSITIONS,
    Agency,
    Agreement,
    AgreementCondition,
    AgreementPurpose,
    AgreementStatus,
    AgreementVersion,
    IcoState,
    Incident,
    NominatedRepresentative,
    Signature,
    SignatureInvitation,
    SignatureMethod,
    SignatureState,
)
from agreements.selectors import version_in_force
from audit.models import Event
from audit.services import changed_fields, record_event
from isa_portal.concurrency import claim_version
from isa_portal.web import long_date


@transaction.atomic
def agency_create(*, agency: Agency, by) -> Agency:
    agency.full_clean()
    agency.save()
    record_event(Event.AGENCY_ADDED, agency, actor=by, detail={"kind": agency.kind})
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, lock_version: int, by) -> Agency:
    """Save the changes made to ``agency``; ``EditConflict`` if someone else saved first."""
    before = claim_version(agency, expected=lock_version)
    agency.full_clean()
    agency.save()
    record_event(Event.AGENCY_CHANGED, agency, actor=by, detail={"fields": changed_fields(before, agency)})
    return agency


@transaction.atomic
def representative_appoint(
    *,
    agency: Agency,
    name: str,
    email: str,
    phone: str = "",
    started_on: datetime.date,
    by,
) -> NominatedRepresentative:
    """Make someone the agency's nominated representative; the present holder's term ends that day."""
    current = (
        NominatedRepresentative.objects.select_for_update()
        .filter(agency=agency, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if started_on < current.started_on:
            raise ValidationError(
                {
                    "started_on": f"The start date must be on or after {long_date(current.started_on)}, "
                    f"when {current.name} took up the post"
                }
            )
        current.ended_on = started_on
        current.save()
    representative = NominatedRepresentative(
        agency=agency, name=name, email=email, phone=phone, started_on=started_on
    )
    representative.full_clean()
    representative.save()
    record_event(
        Event.REPRESENTATIVE_NAMED,
        representative,
        actor=by,
        detail={
            "agency": agency.pk,
            "started_on": started_on.isoformat(),
            "follows": current.pk if current is not None else None,
        },
    )
    return representative


def _sync_purposes(agreement: Agreement, purposes: Iterable[str]) -> None:
    # One row at a time, so every change of cover is in the audit trail.
    wanted = set(purposes)
    for row in list(agreement.purposes.all()):
        if row.purpose not in wanted:
            row.delete()
        wanted.discard(row.purpose)
    for purpose in sorted(wanted):
        AgreementPurpose.objects.create(agreement=agreement, purpose=purpose)


@transaction.atomic
def agreement_create(*, agreement: Agreement, purposes: Iterable[str], by) -> Agreement:
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError({"status": "A new agreement starts as a draft"})
    purposes = sorted(set(purposes))
    agreement.full_clean()
    agreement.save()
    _sync_purposes(agreement, purposes)
    record_event(
        Event.AGREEMENT_ADDED,
        agreement,
        actor=by,
        detail={"tier": agreement.tier, "purposes": purposes},
    )
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, purposes: Iterable[str], lock_version: int, by) -> Agreement:
    """Save the changes made to ``agreement``; ``EditConflict`` if someone else saved first."""
    before = claim_version(agreement, expected=lock_version)
    purposes = sorted(set(purposes))
    agreement.full_clean()
    agreement.save()
    _sync_purposes(agreement, purposes)
    record_event(
        Event.AGREEMENT_CHANGED,
        agreement,
        actor=by,
        detail={"fields": changed_fields(before, agreement), "purposes": purposes},
    )
    return agreement


@transaction.atomic
def agreement_change_status(
    *, agreement: Agreement, status: str, lock_version: int, by, on: datetime.date | None = None
) -> Agreement:
    """Move an agreement along its lifecycle; only the moves in ``STATUS_TRANSITIONS`` are allowed."""
    claim_version(agreement, expected=lock_version)
    on = on or timezone.localdate()
    current = AgreementStatus(agreement.status)
    if status not in STATUS_TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": f"An agreement that is {current.label.lower()} cannot become "
                f"{AgreementStatus(status).label.lower() if status in AgreementStatus.values else status}"
            }
        )
    if status == AgreementStatus.IN_FORCE:
        if not agreement.versions.filter(signed_off_on__isnull=False, signed_off_on__lte=on).exists():
            raise ValidationError(
                {"status": "Add a version and record its sign-off before putting the agreement in force"}
            )
        incomplete = checklist.missing(agreement, on)
        if incomplete:
            raise ValidationError({"status": checklist.missing_message(incomplete)})
        if agreement.parent is not None and not agreement.parent.is_effective:
            raise ValidationError(
                {"status": f"Put “{agreement.parent}” in force first: this agreement sits beneath it"}
            )
    agreement.status = status
    agreement.save()
    record_event(Event.AGREEMENT_STATUS, agreement, actor=by, detail={"from": current, "to": status})
    return agreement


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(day.day, last))


def _default_review_date(version: AgreementVersion) -> None:
    """A signed-off version with no review date is reviewed after the agreement's review interval."""
    if version.signed_off_on and not version.next_review_date:
        version.next_review_date = add_months(version.signed_off_on, version.agreement.review_interval_months)


@transaction.atomic
def version_create(*, version: AgreementVersion, by) -> AgreementVersion:
    if version.agreement.status in (AgreementStatus.SUPERSEDED, AgreementStatus.EXPIRED):
        raise ValidationError(
            {
                "number": f"This agreement is {version.agreement.get_status_display().lower()}: "
                "it takes no new versions"
            }
        )
    _default_review_date(version)
    version.full_clean()
    version.save()
    record_event(Event.VERSION_ADDED, version, actor=by, detail=_version_detail(version))
    return version


@transaction.atomic
def version_update(*, version: AgreementVersion, by) -> AgreementVersion:
    _default_review_date(version)
    version.full_clean()
    version.save()
    record_event(Event.VERSION_CHANGED, version, actor=by, detail=_version_detail(version))
    return version


def _version_detail(version: AgreementVersion) -> dict:
    return {
        "agreement": version.agreement_id,
        "number": version.number,
        "signed_off_on": version.signed_off_on.isoformat() if version.signed_off_on else None,
        "next_review_date": version.next_review_date.isoformat() if version.next_review_date else None,
    }


def _conditions_open(version: AgreementVersion) -> AgreementVersion:
    """A version's conditions are part of what its signatories sign: they change only while nobody
    has signed it (a change after that is a new version, which everyone signs again)."""
    version = AgreementVersion.objects.select_for_update().select_related("agreement").get(pk=version.pk)
    if version.signatures.exists():
        raise ValidationError(
            {
                "kind": f"Version {version.number} has been signed: its conditions are part of what was "
                "signed. Add a new version to change them"
            }
        )
    return version


@transaction.atomic
def condition_add(*, condition: AgreementCondition, by) -> AgreementCondition:
    """Add a condition that decisions relying on the version are checked against."""
    version = _conditions_open(condition.version)
    covered = set(version.agreement.purpose_values)
    if not set(condition.purposes) <= covered:
        raise ValidationError({"purposes": "Select only purposes this agreement covers"})
    condition.full_clean()
    condition.save()
    record_event(
        Event.VERSION_CHANGED,
        version,
        actor=by,
        detail={**_version_detail(version), "condition_added": condition.pk, "kind": condition.kind},
    )
    return condition


@transaction.atomic
def condition_remove(*, condition: AgreementCondition, by) -> None:
    version = _conditions_open(condition.version)
    detail = {**_version_detail(version), "condition_removed": condition.pk, "kind": condition.kind}
    condition.delete()
    record_event(Event.VERSION_CHANGED, version, actor=by, detail=detail)


def _signable(version: AgreementVersion, agency: Agency, today: datetime.date) -> NominatedRepresentative:
    """Whether ``agency`` may sign ``version`` today, however it signs; its nominated representative."""
    agreement = version.agreement
    if not agreement.is_effective:
        raise ValidationError(
            {
                "version": f"“{agreement}” is {agreement.get_status_display().lower()}: "
                "only an agreement in force can be signed"
            }
        )
    in_force = version_in_force(agreement, today)
    if in_force is None or in_force.pk != version.pk:
        raise ValidationError(
            {
                "version": f"Only the version in force can be signed (version {in_force.number})"
                if in_force
                else "This agreement has no version in force to sign"
            }
        )
    if not agency.is_active:
        raise ValidationError({"agency": f"{agency} is no longer active in the partnership"})
    representative = agency.representatives.filter(ended_on__isnull=True).first()
    if representative is None:
        if agency.is_commissioned_provider and agency.commissioned_by_id:
            message = (
                f"{agency} is a commissioned provider: it must sign in its own right, through its own "
                f"nominated representative. The signature of {agency.commissioned_by} does not cover it. "
                "Record its nominated representative first"
            )
        else:
            message = f"Record the nominated representative of {agency} before recording its signature"
        raise ValidationError({"agency": message})
    # Only an agency registered with the ICO (a controller that has paid the data protection fee)
    # can bind itself to an agreement: issue 20, and agreements.selectors.cover_check's ICO rule.
    ico = agency.ico_state(today)
    if ico == IcoState.EXPIRED:
        raise ValidationError(
            {
                "agency": f"{agency} cannot sign: its ICO registration expired on "
                f"{long_date(agency.ico_registration_expires_on)}. Record its renewed registration first"
            }
        )
    if ico == IcoState.MISSING:
        raise ValidationError(
            {
                "agency": f"{agency} cannot sign: it has no ICO registration recorded. "
                "Record its ICO registration number and expiry date first"
            }
        )
    return representative


def _replace_live(version: AgreementVersion, agency: Agency) -> Signature | None:
    """The agency's live signature of an earlier version, now replaced; refused if it signed this one."""
    live = (
        Signature.objects.select_for_update()
        .filter(agency=agency, agreement_id=version.agreement_id, state=SignatureState.LIVE)
        .first()
    )
    if live is not None:
        if live.version_id == version.pk:
            raise ValidationError(
                {"agency": f"{agency} has already signed version {version.number} of this agreement"}
            )
        live.state = SignatureState.REPLACED
        live.save()
    return live


def _signed(signature: Signature, *, live: Signature | None, by) -> Signature:
    signature.full_clean()
    signature.save()
    record_event(
        Event.SIGNATURE_RECORDED,
        signature,
        actor=by,
        detail={
            "agreement": signature.agreement_id,
            "version": signature.version.number,
            "agency": signature.agency_id,
            "method": signature.method,
            "version_sha256": signature.version_sha256,
            "replaces": live.pk if live is not None else None,
        },
    )
    return signature


# A scan of a paper signature page: a PDF or a photograph of it (issue 20).
EVIDENCE_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


@transaction.atomic
def signature_record(
    *,
    version: AgreementVersion,
    agency: Agency,
    signed_by_name: str,
    signed_by_role: str,
    signed_on: datetime.date,
    group: str,
    evidence: File | None,
    by,
) -> Signature:
    """Record a paper signature of ``version`` by ``agency``, with the scan of the signed page.

    A live signature of an earlier version is replaced. Signing online is ``signature_sign``."""
    Agreement.objects.select_for_update().get(pk=version.agreement_id)
    today = timezone.localdate()
    representative = _signable(version, agency, today)
    if not evidence:
        raise ValidationError(
            {"evidence": "Upload the scan of the signed paper signature page (a PDF, PNG or JPEG)"}
        )
    if signed_on > today:
        raise ValidationError({"signed_on": "The date signed must be today or in the past"})
    if signed_on < version.signed_off_on:
        raise ValidationError(
            {
                "signed_on": f"The date signed must be on or after the sign-off date, "
                f"{long_date(version.signed_off_on)}"
            }
        )
    live = _replace_live(version, agency)
    signature = Signature(
        version=version,
        agreement_id=version.agreement_id,
        agency=agency,
        signed_by_name=signed_by_name,
        signed_by_role=signed_by_role,
        signed_on=signed_on,
        representative=representative,
        group=group,
        recorded_by=by,
        method=SignatureMethod.PAPER,
        agency_name=agency.name,
        representative_name=representative.name,
        representative_email=representative.email,
        version_sha256=evidence_module.version_sha256(version),
    )
    signature.evidence.save(f"scan{_evidence_extension(evidence)}", evidence, save=False)
    return _signed(signature, live=live, by=by)


def _evidence_extension(evidence: File) -> str:
    return EVIDENCE_TYPES.get(getattr(evidence, "content_type", ""), ".pdf")


def _site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def signature_invite(*, version: AgreementVersion, agency: Agency, by) -> SignatureInvitation:
    """Ask ``agency``'s nominated representative to sign ``version``, by email.

    The representative signs in with the product account of their email address: an account of
    another agency, or turned off, is refused; with none, one is made (``accounts.services.
    user_invite``) in the role that reads agreements and nothing else. Asking again for the same
    version and representative while it is unsigned returns the invitation already sent and sends
    nothing; once the agency has signed it, asking again is refused.
    """
    from accounts.models import Role, User
    from accounts.services import user_invite

    Agreement.objects.select_for_update().get(pk=version.agreement_id)
    representative = _signable(version, agency, timezone.localdate())
    if Signature.objects.live().filter(agency=agency, version=version).exists():
        raise ValidationError({"agency": f"{agency} has already signed version {version.number}"})
    existing = SignatureInvitation.objects.filter(
        version=version, representative=representative, signature__isnull=True
    ).first()
    if existing is not None:
        return existing
    account = User.objects.filter(email__iexact=representative.email).first()
    created = account is None
    if account is not None and account.agency_id != agency.pk:
        raise ValidationError(
            {
                "agency": f"The account for {representative.email} belongs to "
                f"{account.agency or 'the whole partnership'}, not {agency}: correct the nominated "
                "representative's email address, or the account's agency, first"
            }
        )
    if account is not None and not account.is_active:
        raise ValidationError(
            {
                "agency": f"The account for {representative.email} is turned off: turn it on at Users "
                "before inviting its holder to sign"
            }
        )
    if created:
        account = user_invite(
            email=representative.email,
            full_name=representative.name,
            job_title="Nominated representative",
            agency=agency,
            role=Role.REPRESENTATIVE,
            partnership_wide=False,
            base_url=settings.SITE_URL,
            by=by,
        )
    invitation = SignatureInvitation.objects.create(
        version=version,
        agency=agency,
        representative=representative,
        email=representative.email,
        account=account,
        account_created=created,
        invited_by=by,
    )
    record_event(
        Event.SIGNATURE_INVITED,
        invitation,
        actor=by,
        detail={
            "agreement": version.agreement_id,
            "version": version.number,
            "agency": agency.pk,
            "representative": representative.pk,
            "account_created": created,
        },
    )
    title = version.agreement.title
    account_line = (
        "You have been sent a separate email to set up your account: do that first.\n\n"
        if created
        else "Sign in with your account for this email address.\n\n"
    )
    EmailMessage(
        subject=f"Please sign version {version.number} of “{title}” for {agency}",
        body=f"Dear {representative.name},\n\n{by} asks you, as the nominated representative of "
        f"{agency}, to read and sign version {version.number} of “{title}”.\n\n{account_line}"
        f"Read and sign it here: {_site_link(reverse('agreements:signature_sign', args=[invitation.pk]))}\n\n"
        f"Everything waiting for your signature: {_site_link(reverse('agreements:signatures_waiting'))}\n",
        to=[representative.email],
    ).send()
    return invitation


@transaction.atomic
def signature_sign(
    *, invitation: SignatureInvitation, statements: Iterable[str], group: str, role: str, by
) -> Signature:
    """The nominated representative signs online what they were invited to sign.

    Only the agency's current representative, signed in with the account of their email
    address, may sign; they confirm every statement of the signature page (``evidence.STATEMENTS``).
    The signature keeps the SHA-256 of the version's content, the signer as they are now, the
    statements' wording and a printed signature page.
    """
    invitation = SignatureInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not SignatureInvitation.objects.waiting_for(by).filter(pk=invitation.pk).exists():
        if invitation.signature_id is not None:
            raise ValidationError({"statements": "This invitation has been signed already"})
        raise PermissionDenied("Only the agency's nominated representative signs, with their own account")
    version = invitation.version
    agency = Agency.objects.get(pk=invitation.agency_id)
    Agreement.objects.select_for_update().get(pk=version.agreement_id)
    today = timezone.localdate()
    representative = _signable(version, agency, today)
    confirmed = set(statements)
    missing = [text for key, text in evidence_module.STATEMENTS if key not in confirmed]
    if missing:
        raise ValidationError(
            {"statements": f"Confirm each statement to sign: you have not confirmed “{missing[0]}”"}
        )
    if not role.strip():
        raise ValidationError({"role": "Enter your role"})
    live = _replace_live(version, agency)
    signature = Signature(
        version=version,
        agreement_id=version.agreement_id,
        agency=agency,
        signed_by_name=by.full_name or by.email,
        signed_by_role=role.strip(),
        signed_on=today,
        signed_at=timezone.now(),
        representative=representative,
        group=group,
        recorded_by=by,
        method=SignatureMethod.ONLINE,
        signer=by,
        signer_email=by.email,
        agency_name=agency.name,
        representative_name=representative.name,
        representative_email=representative.email,
        version_sha256=evidence_module.version_sha256(version),
        statements_key=evidence_module.STATEMENTS_KEY,
        statements=evidence_module.statement_texts(),
    )
    signature.full_clean(exclude=["signature_page"])
    signature.save()
    evidence_module.attach_signature_page(signature)
    signature = _signed(signature, live=live, by=by)
    invitation.signature = signature
    invitation.save()
    return signature


@transaction.atomic
def signature_withdraw(*, signature: Signature, withdrawn_on: datetime.date, reason: str, by) -> Signature:
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    if signature.state != SignatureState.LIVE:
        raise ValidationError({"withdrawn_on": "Only a live signature can be withdrawn"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason the signature was withdrawn"})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": "The date withdrawn must be today or in the past"})
    if withdrawn_on < signature.signed_on:
        raise ValidationError(
            {
                "withdrawn_on": f"The date withdrawn must be on or after the date signed, "
                f"{long_date(signature.signed_on)}"
            }
        )
    signature.state = SignatureState.WITHDRAWN
    signature.withdrawn_on = withdrawn_on
    signature.withdrawal_reason = reason.strip()
    signature.save()
    record_event(
        Event.SIGNATURE_WITHDRAWN,
        signature,
        actor=by,
        detail={"agreement": signature.agreement_id, "withdrawn_on": withdrawn_on.isoformat()},
    )
    return signature


@transaction.atomic
def incident_create(*, incident: Incident, by) -> Incident:
    incident.recorded_by = by
    incident.full_clean()
    incident.save()
    record_event(
        Event.INCIDENT_RECORDED, incident, actor=by, detail={"kind": incident.kind, "status": incident.status}
    )
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, lock_version: int, by) -> Incident:
    """Save the changes made to ``incident``; ``EditConflict`` if someone else saved first."""
    before = claim_version(incident, expected=lock_version)
    incident.full_clean()
    incident.save()
    record_event(
        Event.INCIDENT_CHANGED,
        incident,
        actor=by,
        detail={"fields": changed_fields(before, incident), "status": incident.status},
    )
    return incident
