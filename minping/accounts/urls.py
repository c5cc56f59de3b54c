from django.contrib.auth.views import LogoutView
from django.urls import path

from minping.accounts.views import LoginView, api_key_revoke, api_keys
from minping.lib import ids  # noqa: F401 (registers the id path converter)

app_name = "accounts"
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("keys/", api_keys, name="api-keys"),
    path("keys/<id:pk>/revoke/", api_key_revoke, name="api-key-revoke"),
]
