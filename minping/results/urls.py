from django.urls import path

from minping.lib import ids  # noqa: F401 (registers the id path converter)
from minping.results import views

app_name = "results"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("projector/", views.projector, name="projector"),
    path("policy/", views.policy, name="policy"),
    path("denominator/", views.denominator, name="denominator"),
    path("report.<str:kind>", views.report, name="report"),
    path("objections/<id:objection_pk>/", views.answer, name="answer"),
    path("subjects/<id:subject_pk>/", views.subject_detail, name="subject"),
    path("<str:action>/", views.transition, name="transition"),
]
