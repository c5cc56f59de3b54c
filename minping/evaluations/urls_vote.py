from django.urls import path

from minping.evaluations import voting

app_name = "vote"
urlpatterns = [
    path("", voting.start, name="start"),
    path("ballot/", voting.ballot, name="ballot"),
    path("box/<int:pk>/", voting.box, name="box"),
]
