"""Service navigation by role: what each role sees in the header."""

from dataclasses import dataclass

from django.http import HttpRequest

from accounts.permissions import Perm
from isa_portal.fixed_urls import fixed_url


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm | None = None  # None: every signed-in user


NAV_ITEMS = [
    NavItem("Home", "home"),
    NavItem("Children", "consent:child_list", Perm.VIEW_CHILD_RECORDS),
    NavItem("Decisions", "decisions:list", Perm.RECORD_DECISION),
    NavItem("Agreements", "agreements:agreement_list", Perm.VIEW_AGREEMENTS),
    NavItem("Agencies", "agreements:agency_list", Perm.VIEW_AGREEMENTS),
    NavItem("Incidents", "agreements:incident_list", Perm.VIEW_INCIDENTS),
    NavItem("Audit trail", "audit:entry_list", Perm.VIEW_AUDIT),
    NavItem("Reports", "reports:index", Perm.VIEW_REPORTS),
    NavItem("Users", "accounts:user_list", Perm.MANAGE_USERS),
    NavItem("Access requests", "accounts:grant_list", Perm.VIEW_ACCESS_GRANTS),
    NavItem("API clients", "api:client_list", Perm.MANAGE_API_CLIENTS),
]


def navigation_for(request: HttpRequest) -> list[dict]:
    user = request.user
    items = []
    for item in NAV_ITEMS:
        if item.perm is not None and not user.can(item.perm):
            continue
        url = fixed_url(item.url_name)
        matches = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": item.label, "url": url, "active": matches})
    # Sections can nest (/agreements/ and /agreements/agencies/): only the most specific is current.
    current = max((item for item in items if item["active"]), key=lambda item: len(item["url"]), default=None)
    for item in items:
        item["active"] = item is current
    return items
