from django.urls import path

from audit import history_views, subject_access_views, views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entry_list"),
    path("export.csv", views.entry_export, name="entry_export"),
    path("<int:pk>/", views.entry_detail, name="entry_detail"),
    path("subject-access/", subject_access_views.subject_access_search, name="subject_access_search"),
    path(
        "subject-access/<int:pk>/",
        subject_access_views.subject_access_child,
        name="subject_access_child",
    ),
    path("subject-access/children/<int:pk>/new/", subject_access_views.sar_new, name="sar_new"),
    path("subject-access/requests/<int:pk>/", subject_access_views.sar_detail, name="sar_detail"),
    path("subject-access/requests/<int:pk>/step/", subject_access_views.sar_step, name="sar_step"),
    path("subject-access/requests/<int:pk>/bundle/", subject_access_views.sar_bundle, name="sar_bundle"),
    path("subject-access/requests/<int:pk>/review/", subject_access_views.sar_review, name="sar_review"),
    path(
        "subject-access/requests/<int:pk>/withhold/",
        subject_access_views.sar_redaction_new,
        name="sar_redaction_new",
    ),
    path(
        "subject-access/requests/<int:pk>/consult/",
        subject_access_views.sar_consultation_new,
        name="sar_consultation_new",
    ),
    path(
        "subject-access/consultations/<int:pk>/",
        subject_access_views.sar_consultation_edit,
        name="sar_consultation_edit",
    ),
    path(
        "subject-access/redactions/<int:pk>/",
        subject_access_views.sar_redaction_edit,
        name="sar_redaction_edit",
    ),
    path(
        "subject-access/redactions/<int:pk>/remove/",
        subject_access_views.sar_redaction_remove,
        name="sar_redaction_remove",
    ),
    path("children/", history_views.child_history_search, name="child_history_search"),
    path("children/<int:pk>/", history_views.child_history, name="child_history"),
    path("children/<int:pk>/export.csv", history_views.child_history_export, name="child_history_export"),
    path(
        "children/<int:pk>/export.xlsx",
        history_views.child_history_export,
        {"fmt": "xlsx"},
        name="child_history_export_xlsx",
    ),
]
