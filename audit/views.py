"""The audit trail viewer for IG officers: filter, read one entry, export as CSV."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit import erasure, wording
from audit.forms import AuditFilterForm
from audit.models import AuditEntry, Event
from audit.services import record_event, record_export, record_list
from isa_portal.exports import csv_response
from isa_portal.pagination import Page, keyset_page
from isa_portal.web import long_date, short_date, url_of_pk

PAGE_SIZE = 50
FILTER_WIDTHS = {"actor": "govuk-!-width-two-thirds", "record_id": "govuk-input--width-10"}
# In words first; the raw codes after, for those who want them.
EXPORT_HEADER = [
    "Entry",
    "When (UK time)",
    "Who",
    "Their role",
    "Their agency",
    "From address",
    "Through",
    "What happened",
    "Type of record",
    "Record ID",
    "Record",
    "Record's agency",
    "Changes",
    "Details",
    "Event code",
    "Action code",
    "Record type code",
    "Entry hash",
]
AUDITED_APPS = (
    "accounts",
    "agreements",
    "audit",
    "consent",
    "decisions",
    "journeys",
    "otp_static",
    "otp_totp",
)


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user)
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()  # show the errors, not an unfiltered trail
    return form, entries


def paged(request: HttpRequest, entries, read=list) -> tuple[Page, str]:
    """A page of entries, newest first, and the filters asked for without the page's cursor."""
    page = keyset_page(
        entries,
        after=request.GET.get("older"),
        before=request.GET.get("newer"),
        size=PAGE_SIZE,
        by="timestamp",
        read=read,
    )
    query = request.GET.copy()
    for key in ("older", "newer"):
        query.pop(key, None)
    return page, query.urlencode()


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page, query = paged(request, entries, read=_listed)
    response = render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "rows": listed_rows(page.items),
            "filter_query": query,
            "filter_widths": FILTER_WIDTHS,
        },
    )
    # Reading the trail is itself recorded: who looked, and for what.
    filters = {key: value for key, value in request.GET.items() if value}
    record_list(AuditEntry, label="Audit trail", filters=filters)
    return response


_SENTENCE_CHARS = 200
# What a listed row shows (``listed_rows``, ``wording.sentence``) and the page's cursor (time, id): not
# the entry's other columns (the changes, parsed from JSON and searched for erased values by
# ``erasure.reveal`` only when read; its serialised record, details, hashes), the actor's account or
# the agencies' other columns.
LISTED_FIELDS = (
    "id",
    "timestamp",
    "event",
    "action",
    "object_pk",
    "object_repr",
    "actor_email",
    "actor_role",
    "content_type__app_label",
    "content_type__model",
    "actor__full_name",
    "agency__name",
    "actor_agency__name",
)


def _listed(page) -> list[AuditEntry]:
    """The page's entries with the names their rows show, in one query: the page's ids first (the
    scoped, filtered, ordered and limited query, on the trail's table alone), then those entries
    joined to their type, agencies and actor. With the joins before the limit, PostgreSQL's plan for
    a record or a person that had gained many entries since the table was last analysed read and
    joined every one of them, then sorted them (15 ms for 2,000 entries, growing with them); the
    page's ids alone it reads from the (record, time) or (actor, time) index newest first, stopping
    at the page."""
    return list(
        AuditEntry.objects.filter(pk__in=page.values("pk"))
        .select_related("content_type", "agency", "actor_agency", "actor")
        .only(*LISTED_FIELDS)
        .order_by(*page.query.order_by)
    )


def listed_rows(entries) -> list[tuple]:
    """Each listed entry's cells as text: its number, link, time ("6 Dec 2026 14:03:27", UK time),
    what happened, the kind of activity, the type of record and the record's agency.

    Written here rather than through the template's lookups and filters (``date``,
    ``truncatechars``, ``{% url %}``), which cost more than the query for fifty rows a page.
    The template escapes every cell."""
    entry_url = url_of_pk("audit:entry_detail")
    rows = []
    for entry in entries:
        what = entry.sentence
        if len(what) > _SENTENCE_CHARS:  # as the truncatechars filter cuts it; shorter text is as is
            what = Truncator(what).chars(_SENTENCE_CHARS)
        rows.append(
            (
                entry.pk,
                entry_url(entry.pk),
                short_date(entry.timestamp, seconds=True),
                what,
                entry.activity_label,
                entry.record_type_label,
                entry.agency.name if entry.agency_id else "",
            )
        )
    return rows


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(
        AuditEntry.objects.select_related("content_type", "agency", "actor_agency", "actor"),
        request.user,
        pk=pk,
    )
    response = render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "changes": field_changes(entry),
            "details": wording.readable(entry.additional_data) if entry.additional_data else "",
            "role": wording.role_label(entry.actor_role) if entry.actor_role else "",
        },
    )
    record_event(Event.VIEW, entry, label=f"audit entry {entry.pk}")
    return response


def field_changes(entry: AuditEntry) -> list[dict]:
    """Each changed field with its value before and after, in words (``audit.wording``)."""
    if not entry.changes:
        return []
    return wording.field_changes(entry.content_type.model_class(), entry.changes_dict, resolve=True)


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_export(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "filter_widths": FILTER_WIDTHS}
        return render(request, "audit/entry_list.html", context, status=400)
    filters = {key: value for key, value in request.GET.items() if value}
    record_export(AuditEntry, label="Audit trail (CSV)", filters=filters)
    # The JSON columns come out as text, as stored: parsed only for the rows that have them.
    entries = entries.annotate(
        changes_text_json=Cast("changes", TextField()), details_json=Cast("additional_data", TextField())
    )
    rows = entries.order_by("-timestamp", "-id").values_list(
        "id",
        "timestamp",
        "actor__full_name",
        "actor_email",
        "actor_role",
        "actor_agency__name",
        "remote_addr",
        "source",
        "event",
        "action",
        "content_type__model",
        "object_pk",
        "object_repr",
        "agency__name",
        "changes_text_json",
        "details_json",
        "entry_hash",
    )
    now = timezone.localtime()
    user = request.user
    preamble = [
        ("Entries of", "Every agency in the partnership" if user.partnership_wide else user.agency.name),
        *(form.described() or [("Filters", "None: every entry you may see")]),
        ("Exported by", user.full_name or user.email),
        ("As at", f"{long_date(now)}, {now:%H:%M}"),
    ]
    return csv_response(
        filename=f"audit-trail-{now:%Y%m%d-%H%M%S}.csv",
        header=EXPORT_HEADER,
        rows=_export_rows(rows),
        title="Audit trail",
        preamble=preamble,
        bom=True,
    )


def _export_rows(rows):
    """Streamed after the view returns: its own transaction, so PostgreSQL uses a server-side cursor.
    Each row in words, then the raw codes for those who want them."""
    models = {ct.model: ct.model_class() for ct in ContentType.objects.all()}
    with transaction.atomic():
        for (
            pk,
            when,
            name,
            email,
            role,
            their_agency,
            address,
            source,
            event,
            action,
            model,
            record_pk,
            record,
            agency,
            changes,
            details,
            entry_hash,
        ) in _revealed(rows.iterator(chunk_size=2000)):
            who = wording.who_from(name or "", email or "", role, their_agency or "")
            yield [
                pk,
                f"{timezone.localtime(when):%Y-%m-%d %H:%M:%S}",
                name or email or "The system",
                wording.role_label(role) if role else "",
                their_agency or "",
                address or "",
                source,
                wording.sentence_from(who, event, action, model, record_pk, record),
                wording.record_noun(model).capitalize(),
                record_pk,
                record,
                agency or "",
                _readable_changes(models.get(model), changes),
                wording.readable(json.loads(details)) if details else "",
                event,
                action,
                model,
                entry_hash,
            ]


def _revealed(rows, batch: int = 2000):
    """The rows with the personal values put back in place of their commitments (``audit.erasure``):
    the record's name (column 12) and the changes (column 14), one query per batch of rows."""
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            yield from _put_back(chunk)
            chunk = []
    yield from _put_back(chunk)


def _put_back(chunk: list) -> list:
    put_back = erasure.reveal_text(text for row in chunk for text in (row[12], row[14]))
    return [(*row[:12], put_back(row[12]), row[13], put_back(row[14]), *row[15:]) for row in chunk]


def _readable_changes(model, changes: str | None) -> str:
    if not changes:
        return ""
    rows = wording.field_changes(model, json.loads(changes), resolve=False)
    return "\n".join(
        f"{row['field']}: {row['before'] or '(empty)'} \u2192 {row['after'] or '(empty)'}" for row in rows
    )
