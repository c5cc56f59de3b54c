from django.urls import path

from minping.evaluations import interview
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "interview"
urlpatterns = [
    path("", interview.campaign_list, name="list"),
    path("<id:pk>/", interview.interview, name="campaign"),
]
