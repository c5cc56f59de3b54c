from django.urls import path

from minping.evidence import views

app_name = "evidence"
urlpatterns = [
    path("", views.evidence_list, name="list"),
    path("<uuid:pk>/", views.download, name="download"),
]
