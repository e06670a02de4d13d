"""The legal hold screens: IG officers place and lift holds on decisions and children (decisions.holds)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_visible_or_404, require
from accounts.permissions import Perm
from audit.services import record_list
from consent.models import Child
from decisions import holds
from decisions.models import Decision
from isa_portal.forms import GOVUKForm
from isa_portal.web import posted

REASON_LENGTH = 2000


class LegalHoldForm(GOVUKForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_LENGTH,
        strip=True,
        error_messages={"max_length": f"The reason must be {REASON_LENGTH} characters or fewer"},
    )

    def __init__(self, *args, placing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        if placing:
            self.submit_label = "Place the legal hold"
            field.label = "Why is the hold needed?"
            field.help_text = "For example: a county court claim, or a child safeguarding practice review."
            field.error_messages["required"] = "Enter why the hold is needed"
        else:
            self.submit_label = "Lift the legal hold"
            field.label = "Why can the hold be lifted?"
            field.help_text = "For example: the proceedings have ended."
            field.error_messages["required"] = "Enter why the hold can be lifted"


def _hold_page(request: HttpRequest, record: Decision | Child, *, name: str, back: str) -> HttpResponse:
    if record.tombstoned_at is not None:
        raise Http404  # erased: nothing left to hold
    placing = not record.legal_hold
    form = LegalHoldForm(posted(request), placing=placing)
    if request.method == "POST" and form.is_valid():
        service = holds.legal_hold_place if placing else holds.legal_hold_lift
        try:
            service(record=record, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            done = "placed on" if placing else "lifted from"
            messages.success(request, f"Legal hold {done} {name}.")
            return redirect(back)
    heading = f"Place a legal hold on {name}" if placing else f"Lift the legal hold on {name}"
    return render(
        request,
        "decisions/legal_hold_form.html",
        {"form": form, "heading": heading, "record": record, "placing": placing, "cancel_url": back},
    )


@require(Perm.MANAGE_LEGAL_HOLDS)
@require_http_methods(["GET", "HEAD", "POST"])
def decision_legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_visible_or_404(Decision.objects.submitted(), request.user, pk=pk)
    return _hold_page(
        request, decision, name=f"decision {decision.reference}", back=reverse("decisions:detail", args=[pk])
    )


@require(Perm.MANAGE_LEGAL_HOLDS)
@require_http_methods(["GET", "HEAD", "POST"])
def child_legal_hold(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_visible_or_404(Child, request.user, pk=pk)
    return _hold_page(request, child, name=str(child), back=reverse("consent:child_detail", args=[pk]))


@require(Perm.MANAGE_LEGAL_HOLDS)
@require_safe
def legal_holds(request: HttpRequest) -> HttpResponse:
    """Every hold in the officer's scope: what retention is being stopped from erasing, and why."""
    decisions = list(
        Decision.objects.visible_to(request.user)
        .filter(legal_hold=True)
        .select_related("child")
        .order_by("reference")
    )
    children = list(Child.objects.visible_to(request.user).filter(legal_hold=True).order_by("id").distinct())
    response = render(request, "decisions/legal_holds.html", {"decisions": decisions, "children": children})
    record_list(Decision, label="Legal holds", count=len(decisions) + len(children))
    return response
