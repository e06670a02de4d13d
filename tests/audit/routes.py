from audit.models import AuditEntry
from tests.url_matrix import Route, allow


def _home_agency_entry(personas) -> dict:
    """An entry about a home-agency practitioner: the outsider's IG officer could not see it."""
    from tests.audit.factories import write_entries

    [entry] = write_entries(1, actor=personas["practitioner"])
    assert AuditEntry.objects.filter(pk=entry.pk, agency=personas["practitioner"].agency).exists()
    return {"pk": entry.pk}


ROUTES = {
    "audit:entry_list": Route(allow("ig_officer", "partnership_ig")),
    "audit:entry_export": Route(allow("ig_officer", "partnership_ig")),
    "audit:entry_detail": Route(allow("ig_officer", "partnership_ig"), kwargs=_home_agency_entry),
}
