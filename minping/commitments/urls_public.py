from django.urls import path

from minping.commitments import board
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "board"
urlpatterns = [
    path("", board.index, name="index"),
    path("<id:region_pk>/<str:month>/", board.board, name="board"),
    path("<id:region_pk>/<str:month>/poster.pdf", board.poster, name="poster"),
    path("items/<id:pk>/", board.item, name="item"),
    path("duty/<id:campaign_pk>/", board.duty, name="duty"),
]
