"""How the user of a session is read on every request."""

import contextlib
import contextvars
import functools

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from minping.accounts.models import User

_session = contextvars.ContextVar("the session whose user is being read", default=None)


class Backend(ModelBackend):
    """Django's model backend, reading a session's user without the ORM. The user's row is read afresh on every
    request: along with the session itself (`accounts.sessions`) when the request's session is being read for its
    user (`reading`), otherwise by one plain statement."""

    def get_user(self, user_id):
        user = getattr(_session.get(), "user", None)
        if user is None or user.pk != user_id:
            user = read_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


@contextlib.contextmanager
def reading(session):
    """While this lasts, `Backend.get_user` takes the user `session` was read with."""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


def read_user(user_id) -> User | None:
    alias = router.db_for_read(User)
    with connections[alias].cursor() as cursor:
        cursor.execute(f'SELECT {user_columns()} FROM "{User._meta.db_table}" u WHERE u."{User._meta.pk.column}" = %s', [user_id])
        row = cursor.fetchone()
    return None if row is None else user_from_row(alias, row)


def user_from_row(alias: str, row) -> User:
    """A user from the values of `user_columns()`, in their order."""
    return User.from_db(alias, _attnames(), row)


@functools.cache
def user_columns() -> str:
    """The user's columns, as the table aliased `u`."""
    return ", ".join(f'u."{field.column}"' for field in User._meta.concrete_fields)


@functools.cache
def _attnames() -> list[str]:
    return [field.attname for field in User._meta.concrete_fields]
