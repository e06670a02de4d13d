"""The administrators' pages for API clients: list, create (the token shown once), revoke."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.access import get_visible_or_404, require
from accounts.forms import EmptyForm
from accounts.permissions import Perm
from api import services
from api.forms import ApiClientForm
from api.models import ApiClient
from isa_portal.web import posted, save_if_valid

# The new token waits here, on the server, between the POST that made it and the one page that shows it.
NEW_TOKEN_SESSION = "api_client_new_token"  # noqa: S105 (a session key, not a secret)


@require(Perm.MANAGE_API_CLIENTS)
@require_safe
def client_list(request: HttpRequest) -> HttpResponse:
    clients = ApiClient.objects.visible_to(request.user).select_related("agency", "created_by")
    return render(request, "api/client_list.html", {"clients": clients})


def _expiry(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@require(Perm.MANAGE_API_CLIENTS)
@require_http_methods(["GET", "POST"])
def client_create(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(posted(request), by=request.user)
    made = save_if_valid(
        request,
        form,
        lambda: services.api_client_create(
            name=form.cleaned_data["name"],
            agency=form.cleaned_data.get("agency") or request.user.agency,
            scopes=form.cleaned_data["scopes"],
            expires_at=_expiry(form.cleaned_data.get("expires_on")),
            by=request.user,
        ),
    )
    if made is not None:
        client, token = made
        request.session[NEW_TOKEN_SESSION] = {"client": client.pk, "token": token}
        return redirect("api:client_detail", pk=client.pk)
    return render(
        request,
        "form_page.html",
        {"form": form, "heading": "Add an API client", "cancel_url": reverse("api:client_list")},
    )


@require(Perm.MANAGE_API_CLIENTS)
@require_safe
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_or_404(
        ApiClient.objects.select_related("agency", "created_by", "revoked_by"), request.user, pk=pk
    )
    new = request.session.get(NEW_TOKEN_SESSION)
    token = None
    if new and new.get("client") == client.pk:
        token = request.session.pop(NEW_TOKEN_SESSION)["token"]  # shown this once, then gone
    return render(
        request, "api/client_detail.html", {"client": client, "token": token, "usable": client.is_usable()}
    )


@require(Perm.MANAGE_API_CLIENTS)
@require_POST
def client_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_or_404(ApiClient, request.user, pk=pk)
    if EmptyForm(request.POST).is_valid():
        try:
            services.api_client_revoke(client=client, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{client.name} can no longer use the API.")
    return redirect("api:client_detail", pk=client.pk)
