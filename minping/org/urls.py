from django.urls import path

from minping.lib import ids  # noqa: F401 (registers the id path converter)
from minping.org import views

app_name = "org"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/", views.region_tree, name="region-tree"),
    path("regions/<id:pk>/", views.region_detail, name="region-detail"),
    path("regions/<id:pk>/children/", views.region_children, name="region-children"),
    path("regions/<id:pk>/new/", views.region_create, name="region-create"),
    path("regions/<id:pk>/rename/", views.region_rename, name="region-rename"),
    path("regions/<id:pk>/move/", views.region_move, name="region-move"),
    path("units/", views.unit_list, name="unit-list"),
    path("cadres/", views.cadre_list, name="cadre-list"),
    path("cadres/<id:pk>/", views.cadre_detail, name="cadre-detail"),
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("households/", views.household_list, name="household-list"),
    path("residents/", views.resident_list, name="resident-list"),
]
