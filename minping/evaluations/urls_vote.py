from django.urls import path

from minping.evaluations import voting
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "vote"
urlpatterns = [
    path("", voting.start, name="start"),
    path("ballot/", voting.ballot, name="ballot"),
    path("box/<id:pk>/", voting.box, name="box"),
]
