"""Django's PostgreSQL backend with a health check that costs no round trip.

Connections persist across requests (CONN_MAX_AGE), so one the server has ended (a restart, a failover,
pg_terminate_backend, idle_session_timeout) must be found and replaced before a request uses it. Django's own
check sends `SELECT 1` at the start of every request that touches the database: a third of the statements a
ballot costs. Between requests a connection is idle and the server sends it nothing unprompted except when it is
going away (an error, then the socket closes), or the rare notice or parameter report. So the socket is polled
instead: nothing to read, the connection is fine; something to read, and Django's check decides.
"""

import select

from django.db.backends.postgresql.base import (
    DatabaseWrapper as PostgresDatabaseWrapper,
)
from psycopg import pq


class DatabaseWrapper(PostgresDatabaseWrapper):
    def is_usable(self) -> bool:
        pgconn = self.connection.pgconn
        if self.connection.closed or pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()  # in a transaction: only the server can tell
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN)
        if not poller.poll(0):
            return True
        return super().is_usable()  # something arrived while idle, most likely a goodbye: ask the server
