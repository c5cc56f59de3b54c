from django.urls import path

from minping.assessment import views
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("<id:pk>/", views.scheme_page, name="scheme"),
    path("<id:pk>/ratings/", views.ratings, name="ratings"),
    path("<id:pk>/inputs/", views.inputs, name="inputs"),
    path("runs/<id:pk>/", views.run_page, name="run"),
    path("results/<id:pk>/", views.result_page, name="result"),
    path("appeals/<id:pk>/", views.decide, name="decide"),
    path("follow-ups/<id:pk>/", views.follow_up, name="follow-up"),
    path("cadres/<id:pk>/", views.cadre_record, name="record"),
]
