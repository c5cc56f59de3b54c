from django.urls import path

from minping.evaluations import views
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "evaluations"
urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("instruments/", views.instrument_list, name="instrument-list"),
    path("instruments/<id:pk>/copy/", views.instrument_copy, name="instrument-copy"),
    path("instruments/<id:pk>/", views.instrument_edit, name="instrument-edit"),
    path("<id:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<id:pk>/subjects/", views.subjects_add, name="subjects-add"),
    path("<id:pk>/subjects/<id:subject_pk>/remove/", views.subject_remove, name="subject-remove"),
    path("<id:pk>/window/", views.window, name="window"),
    path("<id:pk>/groups/", views.group_add, name="group-add"),
    path("<id:pk>/groups/<id:group_pk>/weight/", views.group_weight, name="group-weight"),
    path("<id:pk>/codes/", views.codes_issue, name="codes-issue"),
    path("<id:pk>/codes/void/", views.codes_void, name="codes-void"),
    path("<id:pk>/paper/", views.paper_entry, name="paper-entry"),
    path("<id:pk>/letters/", views.letters, name="letters"),
    path("<id:pk>/turnout/", views.campaign_turnout, name="turnout"),
    path("<id:pk>/projector/", views.campaign_projector, name="projector"),
    path("<id:pk>/<str:transition>/", views.campaign_transition, name="transition"),
]
