from django.urls import path

from minping.lib import ids  # noqa: F401 (registers the id path converter)
from minping.results import views

app_name = "notice"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<id:pk>/", views.notice, name="detail"),
]
