from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="agreement_list"),
    path("new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/status/", views.agreement_status, name="agreement_status"),
    path("<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("<int:pk>/versions/compare/", views.version_compare, name="version_compare"),
    path("versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("versions/<int:pk>/edit/", views.version_edit, name="version_edit"),
    path("versions/<int:pk>/document/", views.version_document, name="version_document"),
    path("versions/<int:pk>/sign/", views.signature_create, name="signature_create"),
    path("versions/<int:pk>/invite/", views.signature_invite, name="signature_invite"),
    path("sign/", views.signatures_waiting, name="signatures_waiting"),
    path("sign/<int:pk>/", views.signature_sign, name="signature_sign"),
    path("signatures/<int:pk>/", views.signature_detail, name="signature_detail"),
    path("signatures/<int:pk>/signature-page.pdf", views.signature_page, name="signature_page"),
    path("signatures/<int:pk>/scan/", views.signature_scan, name="signature_scan"),
    path("versions/<int:pk>/conditions/new/", views.condition_add, name="condition_add"),
    path("conditions/<int:pk>/remove/", views.condition_remove, name="condition_remove"),
    path("signatures/<int:pk>/withdraw/", views.signature_withdraw, name="signature_withdraw"),
    path("signatories/", views.signatory_register, name="signatory_register"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/new/", views.agency_create, name="agency_create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:pk>/representative/", views.representative_appoint, name="representative_appoint"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("record-of-processing.xlsx", views.record_of_processing, name="record_of_processing"),
    path(
        "record-of-processing.csv",
        views.record_of_processing,
        {"fmt": "csv"},
        name="record_of_processing_csv",
    ),
    path("incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/summary/", views.incident_summary, name="incident_summary"),
    path("incidents/summary/pdf/", views.incident_summary_pdf, name="incident_summary_pdf"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/edit/", views.incident_edit, name="incident_edit"),
]
