from django.urls import path

from minping.lib import ids  # noqa: F401 (registers the id path converter)
from minping.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.index, name="index"),
    path("<id:pk>/", views.survey_page, name="survey"),
    path("<id:pk>/call/", views.call, name="call"),
    path("audits/", views.audits, name="audits"),
    path("audits/<id:pk>/", views.audit_page, name="audit"),
]
