from django.urls import path

from api import endpoints, views

app_name = "api"

urlpatterns = [
    # Administrators' pages (a signed-in session).
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("clients/<int:pk>/revoke/", views.client_revoke, name="client_revoke"),
    # Version 1 of the API (a client's token; never a session).
    path("v1/schema/", endpoints.SchemaView.as_view(), name="schema"),
    path("v1/children/", endpoints.ChildLookup.as_view(), name="child_lookup"),
    path("v1/children/<int:pk>/", endpoints.ChildDetail.as_view(), name="child_detail"),
    path("v1/decisions/", endpoints.DecisionList.as_view(), name="decision_list"),
    path("v1/decisions/drafts/", endpoints.DraftDecisionCreate.as_view(), name="draft_create"),
    path("v1/decisions/<int:pk>/", endpoints.DecisionDetail.as_view(), name="decision_detail"),
    path(
        "v1/decisions/<int:pk>/provenance", endpoints.DecisionProvenance.as_view(), name="decision_provenance"
    ),
    path("v1/consent/", endpoints.ConsentList.as_view(), name="consent_list"),
    path("v1/consent/<int:pk>/", endpoints.ConsentDetail.as_view(), name="consent_detail"),
    path("v1/consent/<int:pk>/fhir", endpoints.ConsentFhir.as_view(), name="consent_fhir"),
]
