from django.urls import path

from consent import views

app_name = "consent"


def _journey_urls(journey: str, segment: str) -> list:
    kwargs = {"journey": journey}
    return [
        path(f"<int:pk>/{segment}/new/", views.journey_start, kwargs, name=f"{journey}_start"),
        path(f"<int:pk>/{segment}/new/check-answers/", views.journey_check, kwargs, name=f"{journey}_check"),
        path(f"<int:pk>/{segment}/new/discard/", views.journey_discard, kwargs, name=f"{journey}_discard"),
        path(f"<int:pk>/{segment}/new/<slug:step>/", views.journey_step, kwargs, name=f"{journey}_step"),
    ]


urlpatterns = [
    path("", views.child_list, name="child_list"),
    path("new/", views.child_create_view, name="child_create"),
    path("suggest/", views.child_suggest, name="child_suggest"),
    path("<int:pk>/", views.child_detail, name="child_detail"),
    path("<int:pk>/chronology/print/", views.chronology_print, name="chronology_print"),
    path("<int:pk>/chronology.pdf", views.chronology_pdf, name="chronology_pdf"),
    *_journey_urls("assessment", "assessments"),
    *_journey_urls("consent", "consents"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/recorded/", views.assessment_confirmation, name="assessment_confirmation"),
    path("consents/<int:pk>/", views.consent_detail, name="consent_detail"),
    path("consents/<int:pk>/recorded/", views.consent_confirmation, name="consent_confirmation"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw_view, name="consent_withdraw"),
]
