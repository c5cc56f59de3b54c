from django.urls import path

from minping.evaluations import voting
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "vote"
urlpatterns = [
    path("", voting.start, name="start"),
    path("ballot/", voting.ballot, name="ballot"),
    path("review/", voting.review, name="review"),
    path("receipt/", voting.receipt, name="receipt"),
    path("box/<id:pk>/", voting.box, name="box"),
]
