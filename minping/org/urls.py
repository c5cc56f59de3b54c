from django.urls import path

from minping.org import views

app_name = "org"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/", views.region_tree, name="region-tree"),
    path("regions/<int:pk>/", views.region_detail, name="region-detail"),
    path("regions/<int:pk>/children/", views.region_children, name="region-children"),
    path("regions/<int:pk>/new/", views.region_create, name="region-create"),
    path("regions/<int:pk>/rename/", views.region_rename, name="region-rename"),
    path("regions/<int:pk>/move/", views.region_move, name="region-move"),
    path("units/", views.unit_list, name="unit-list"),
    path("cadres/", views.cadre_list, name="cadre-list"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre-detail"),
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("households/", views.household_list, name="household-list"),
    path("residents/", views.resident_list, name="resident-list"),
]
