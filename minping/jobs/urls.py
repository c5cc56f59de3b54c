from django.urls import path

from minping.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<str:key>/run/", views.job_run, name="run"),
]
