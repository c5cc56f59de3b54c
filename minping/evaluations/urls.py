from django.urls import path

from minping.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_create, name="campaign-create"),
    path("instruments/", views.instrument_list, name="instrument-list"),
    path("instruments/<int:pk>/copy/", views.instrument_copy, name="instrument-copy"),
    path("instruments/<int:pk>/", views.instrument_edit, name="instrument-edit"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/subjects/", views.subjects_add, name="subjects-add"),
    path("<int:pk>/subjects/<int:subject_pk>/remove/", views.subject_remove, name="subject-remove"),
    path("<int:pk>/window/", views.window, name="window"),
    path("<int:pk>/groups/", views.group_add, name="group-add"),
    path("<int:pk>/groups/<int:group_pk>/weight/", views.group_weight, name="group-weight"),
    path("<int:pk>/codes/", views.codes_issue, name="codes-issue"),
    path("<int:pk>/codes/void/", views.codes_void, name="codes-void"),
    path("<int:pk>/paper/", views.paper_entry, name="paper-entry"),
    path("<int:pk>/letters/", views.letters, name="letters"),
    path("<int:pk>/turnout/", views.campaign_turnout, name="turnout"),
    path("<int:pk>/projector/", views.campaign_projector, name="projector"),
    path("<int:pk>/<str:transition>/", views.campaign_transition, name="transition"),
]
