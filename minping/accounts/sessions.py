"""Login sessions (`SESSION_ENGINE`), kept in the database with the user they belong to.

Django's own stores read the session (from the database or a cache) and then, in a second round trip, the user.
Here the session's row names its user, set whenever the session is saved, and loading the session reads the
user's row in the same statement. `AuthenticationMiddleware` hands that row to the authentication backend, and
Django's checks of the user (still active, password unchanged since login) run on it as before."""

import functools

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from minping.accounts.backends import reading, user_columns, user_from_row
from minping.accounts.models import Session, User


class SessionStore(db.SessionStore):
    user = None  # the user the session names, as read with it; None before loading or when it names none

    @classmethod
    def get_model_class(cls):
        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = User._meta.pk.to_python(data[SESSION_KEY]) if data.get(SESSION_KEY) else None
        return session

    def load(self):
        self.user = None
        alias = router.db_for_read(Session)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(_select(), [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:  # unknown or expired
            self._session_key = None
            return {}
        if row[1] is not None:
            self.user = user_from_row(alias, row[1:])
        return self.decode(row[0])


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with the request's user taken from the row read along with its session."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):  # read once a request, as Django's middleware does
        with reading(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user


@functools.cache
def _select() -> str:
    return (
        f'SELECT s."session_data", {user_columns()} FROM "{Session._meta.db_table}" s '
        f'LEFT JOIN "{User._meta.db_table}" u ON u."{User._meta.pk.column}" = s."user_id" '
        f'WHERE s."session_key" = %s AND s."expire_date" > %s'
    )
