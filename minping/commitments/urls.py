from django.urls import path

from minping.commitments import views
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "commitments"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("forms/<id:pk>/", views.form_detail, name="form"),
    path("forms/<id:pk>/step/", views.form_step, name="form-step"),
    path("forms/<id:pk>/items/", views.item_add, name="item-add"),
    path("items/<id:pk>/", views.item_edit, name="item-edit"),
    path("items/<id:pk>/progress/", views.item_progress, name="item-progress"),
    path("items/<id:pk>/review/", views.item_review, name="item-review"),
    path("month/", views.month, name="month"),
    path("month/export/", views.month_export, name="month-export"),
    path("samples/", views.sample_draw, name="sample-draw"),
    path("samples/<id:pk>/", views.sample, name="sample"),
    path("ratings/", views.rating_open, name="rating-open"),
    path("sequences/", views.sequences, name="sequences"),
    path("quarters/", views.quarters, name="quarters"),
    path("quarters/<id:pk>/", views.quarter, name="quarter"),
    path("pledges/", views.pledges, name="pledges"),
    path("duty/", views.duty_list, name="duty-list"),
    path("duty/<id:pk>/", views.duty_subject, name="duty-subject"),
]
