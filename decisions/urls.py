from django.urls import path

from decisions import hold_views, views

app_name = "decisions"

urlpatterns = [
    path("", views.decision_list, name="list"),
    path("new/", views.decision_new, name="new"),
    path("review/", views.review_queue, name="review_queue"),
    path("log/", views.decision_log, name="log"),
    path("log/export.csv", views.decision_log_export, name="log_export"),
    path("log/export.xlsx", views.decision_log_export, {"fmt": "xlsx"}, name="log_export_xlsx"),
    path("<int:pk>/", views.decision_detail, name="detail"),
    path("<int:pk>/pdf/", views.decision_pdf, name="pdf"),
    path("<int:pk>/answers/<slug:step>/", views.decision_step, name="step"),
    path("<int:pk>/check/", views.decision_check, name="check"),
    path("<int:pk>/continue/", views.decision_resume, name="resume"),
    path("<int:pk>/review/", views.decision_review, name="review"),
    path("<int:pk>/addendum/", views.decision_addendum, name="addendum"),
    path("<int:pk>/reconsider/", views.decision_reconsider, name="reconsider"),
    path("legal-holds/", hold_views.legal_holds, name="legal_holds"),
    path("<int:pk>/legal-hold/", hold_views.decision_legal_hold, name="legal_hold"),
    path("children/<int:pk>/legal-hold/", hold_views.child_legal_hold, name="child_legal_hold"),
]
