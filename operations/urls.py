from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [path("jobs/", views.job_list, name="job_list")]
