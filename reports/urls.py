from django.urls import path, re_path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    re_path(r"^(?P<key>[a-z0-9_]+)\.(?P<fmt>csv|xlsx)$", views.download, name="download"),
]
