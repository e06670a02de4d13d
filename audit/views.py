"""The audit trail viewer for IG officers: filter, read one entry, export as CSV."""

import json

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from audit.services import record_export
from isa_portal.exports import csv_response
from isa_portal.pagination import Page, keyset_page
from isa_portal.web import display_value

PAGE_SIZE = 50
FILTER_WIDTHS = {"actor": "govuk-!-width-two-thirds", "record_id": "govuk-input--width-10"}
EXPORT_HEADER = [
    "Entry",
    "Time (UTC)",
    "Who",
    "Their role",
    "Their agency",
    "From address",
    "Through",
    "What happened",
    "Type of record",
    "Record number",
    "Record",
    "Record's agency",
    "Changes",
    "Details",
    "Entry hash",
]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, object]:
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.visible_to(request.user)
    if form.is_bound and form.is_valid():
        entries = form.filter(entries)
    elif form.is_bound:
        entries = entries.none()  # show the errors, not an unfiltered trail
    return form, entries


def paged(request: HttpRequest, entries) -> tuple[Page, str]:
    """A page of entries, newest first, and the filters asked for without the page's cursor."""
    page = keyset_page(
        entries,
        after=request.GET.get("older"),
        before=request.GET.get("newer"),
        size=PAGE_SIZE,
        by="timestamp",
    )
    query = request.GET.copy()
    for key in ("older", "newer"):
        query.pop(key, None)
    return page, query.urlencode()


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page, query = paged(request, entries.select_related("content_type", "agency", "actor_agency"))
    return render(
        request,
        "audit/entry_list.html",
        {"form": form, "page": page, "filter_query": query, "filter_widths": FILTER_WIDTHS},
    )


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(
        AuditEntry.objects.select_related("content_type", "agency", "actor_agency", "actor"),
        request.user,
        pk=pk,
    )
    return render(request, "audit/entry_detail.html", {"entry": entry, "changes": field_changes(entry)})


def field_changes(entry: AuditEntry) -> list[dict]:
    """Each changed field with its value before and after, labelled as the record's form labels it."""
    if not entry.changes:
        return []
    model = entry.content_type.model_class()
    rows = []
    for name, values in sorted(entry.changes_dict.items()):
        before, after = [*values, None, None][:2]
        label, choices = name, []
        if model is not None:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a field since removed from the model keeps its stored name
                field = None
            if field is not None:
                label = str(getattr(field, "verbose_name", name))
                choices = getattr(field, "flatchoices", [])
        rows.append(
            {"field": label.capitalize(), "before": _shown(before, choices), "after": _shown(after, choices)}
        )
    return rows


def _shown(value, choices) -> str:
    """A stored value as it reads; a structured one (answers, lists) as the JSON it was stored as."""
    if value == "None":  # how entries written before JSON changes hold an empty value
        value = None
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return display_value(value, choices=choices, empty="")


@require(Perm.VIEW_AUDIT)
@require_safe
def entry_export(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "filter_widths": FILTER_WIDTHS}
        return render(request, "audit/entry_list.html", context, status=400)
    filters = {key: value for key, value in request.GET.items() if value}
    record_export(AuditEntry, label="Audit trail (CSV)", filters=filters)
    # The JSON columns come out as text, as stored: no parsing and re-serialising per row.
    entries = entries.annotate(
        changes_text_json=Cast("changes", TextField()), details_json=Cast("additional_data", TextField())
    )
    rows = entries.order_by("-timestamp", "-id").values_list(
        "id",
        "timestamp",
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
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return csv_response(filename=f"audit-trail-{stamp}.csv", header=EXPORT_HEADER, rows=_export_rows(rows))


def _export_rows(rows):
    """Streamed after the view returns: its own transaction, so PostgreSQL uses a server-side cursor."""
    actions = {value: str(label) for value, label in AuditEntry.Action.choices}  # translated once
    with transaction.atomic():
        for (
            pk,
            when,
            who,
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
        ) in rows.iterator(chunk_size=2000):
            yield [
                pk,
                when.isoformat(),
                who,
                role,
                their_agency,
                address,
                source,
                f"{event} ({actions.get(action, action)})" if event == "change" else event,
                model,
                record_pk,
                record,
                agency,
                changes or "",
                details or "",
                entry_hash,
            ]
