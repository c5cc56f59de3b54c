from django.urls import path

from minping.fieldwork import views
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "fieldwork"
urlpatterns = [
    path("", views.home, name="home"),
    path("entries/<uuid:pk>/", views.entry, name="entry"),
    path("cadres/<id:pk>/<str:month>/", views.month, name="month"),
    path("logs/", views.logs, name="logs"),
    path("contacts/", views.contacts, name="contacts"),
    path("coverage/", views.coverage, name="coverage"),
    path("items/", views.items, name="items"),
    path("items/<id:pk>/", views.item, name="item"),
    path("receptions/", views.receptions, name="receptions"),
    path("receptions/<id:pk>/", views.session, name="session"),
    path("topics/", views.topics, name="topics"),
    path("topics/<id:pk>/", views.topic, name="topic"),
    path("pairings/", views.pairings, name="pairings"),
    path("pairings/<id:pk>/", views.pairing, name="pairing"),
    path("figures/", views.figures_page, name="figures"),
]
