from django.urls import path

from minping.grid import field, views
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "grid"
urlpatterns = [
    path("grids/<id:pk>/", views.due, name="due"),
    path("visits/", views.visit, name="visit"),
    path("report/", views.report, name="report"),
    path("problems/", views.problems, name="problems"),
    path("problems/<id:pk>/", views.problem, name="problem"),
    path("routes/", views.routes, name="routes"),
    path("scorecards/", views.scorecards_page, name="scorecards"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("teams/", views.teams, name="teams"),
    path("assignments/", views.assignments, name="assignments"),
    path("coverage/", views.coverage, name="coverage"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<id:pk>/", views.task, name="task"),
    path("field/", field.page, name="field"),
    path("field/data.json", field.data, name="field-data"),
    path("field/visits", field.visit, name="field-visit"),
    path("field/problems", field.problem, name="field-problem"),
    path("sw.js", field.service_worker, name="field-sw"),
]
