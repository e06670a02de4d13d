from tests.url_matrix import Route, allow, everyone


def _client(personas):
    from api.services import api_client_create

    admin = personas["admin"]
    client, _ = api_client_create(
        name="Mosaic", agency=admin.agency, scopes=["read_decisions"], expires_at=None, by=admin
    )
    return {"pk": client.pk}


def _pk(personas):
    return {"pk": 1}


# The API answers a session with 401: only a client's token authenticates it (api.auth).
TOKEN_ONLY = everyone(401)

ROUTES = {
    "api:client_list": Route(allow("admin")),
    "api:client_create": Route(allow("admin")),
    "api:client_detail": Route(allow("admin"), kwargs=_client),
    "api:client_revoke": Route(allow("admin", ok=302), kwargs=_client, method="POST"),
    "api:schema": Route(everyone(200)),
    "api:child_lookup": Route(TOKEN_ONLY),
    "api:child_detail": Route(TOKEN_ONLY, kwargs=_pk),
    "api:decision_list": Route(TOKEN_ONLY),
    "api:draft_create": Route(TOKEN_ONLY, method="POST"),
    "api:decision_detail": Route(TOKEN_ONLY, kwargs=_pk),
    "api:decision_provenance": Route(TOKEN_ONLY, kwargs=_pk),
    "api:consent_list": Route(TOKEN_ONLY),
    "api:consent_detail": Route(TOKEN_ONLY, kwargs=_pk),
    "api:consent_fhir": Route(TOKEN_ONLY, kwargs=_pk),
}
