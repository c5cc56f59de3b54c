from django.urls import path

from minping.fieldwork import views

app_name = "reception"
urlpatterns = [path("", views.public_receptions, name="upcoming")]
