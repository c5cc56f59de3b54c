"""A job's staging table: the rows of an upload as checked, waiting for the commit.

The check streams rows into it (one COPY on PostgreSQL, batched inserts on SQLite); checks that need the
database run as set-based queries over it; the commit loads the register from it with one INSERT … SELECT …
ON CONFLICT that rewrites only rows whose values differ and never a row outside the actor's scope. A large first
load sets the table's secondary indexes and foreign keys aside meanwhile (`indexes_rebuilt_after`).
"""

import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

# Kinds of staged column beyond SQL's own: "key", text compared byte by byte, as the digests it is matched with are.
KINDS = {"postgresql": {"key": 'text COLLATE "C"'}, "sqlite": {"key": "text"}}


class Stage:
    def __init__(self, job_id, columns: list[tuple[str, str]]):
        self.table = f"import_stage_{job_id.hex}"
        self.columns = [("line", "integer"), *columns]
        self.names = [name for name, _kind in self.columns]

    def create(self) -> None:
        unlogged = "UNLOGGED " if connection.vendor == "postgresql" else ""
        kinds = KINDS[connection.vendor]
        columns = ", ".join(f"{name} {kinds.get(kind, kind)}" for name, kind in self.columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE {unlogged}TABLE {self.table} ({columns})")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    @contextmanager
    def writer(self):
        """Yields `write(rows)` taking lists in column order. No other query may run on the connection meanwhile."""
        names = ", ".join(self.names)
        if connection.vendor != "postgresql":
            sql = f"INSERT INTO {self.table} ({names}) VALUES ({', '.join('%s' for _ in self.names)})"
            with connection.cursor() as cursor:
                yield lambda rows: cursor.executemany(sql, rows)
            return
        text = ", ".join(name for name, kind in self.columns if kind in ("text", "key"))
        sql = f"COPY {self.table} ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text}))"
        buffer = io.StringIO()
        out = csv.writer(buffer)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:

            def write(rows):
                out.writerows(rows)
                copy.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()

            yield write

    def select(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(stage=self.table), params)
            return cursor.fetchall()

    def rows(self):
        """Staged rows as dicts, in file order (for the small registers loaded row by row)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(self.names)} FROM {self.table} ORDER BY line")
            for row in cursor.fetchall():
                yield {name: "" if value is None else value for name, value in zip(self.names, row)}


BULK_ROWS = 100_000


@contextmanager
def indexes_rebuilt_after(cursor, table: str, rows: int):
    """Load `rows` into `table` (PostgreSQL, inside the commit's transaction) the way PostgreSQL's manual advises
    for populating a table, when the load is large and the table at most half its size, as on a district's first
    import: the foreign keys and the indexes the upsert does not need are dropped, and made again after the load,
    each in one pass over the table instead of one entry and one trigger call per row. That halves a million-row
    load. The transaction holds the table exclusively until it ends, so no one sees it without them; the foreign
    keys are checked again, in one query each, as they are added back. A table owned by another role (migrations
    run by someone else) loads row by row.

    Yields True when the table is empty. Then nothing can conflict with the load (the check let no key in twice),
    so the unique constraints are set aside as well, and the caller inserts without ON CONFLICT and without
    sorting; adding them back verifies them. The primary key, and a unique key another table refers to, stay.
    """
    if rows < BULK_ROWS:
        yield False
        return
    half = rows // 2
    cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) t", [half + 1])  # reads at most that many
    small = cursor.fetchone()[0] <= half
    cursor.execute("SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = %s::regclass", [table])
    if not (small and cursor.fetchone()[0]):
        yield False
        return
    cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")  # before looking again: nobody writes meanwhile
    # Deferred foreign-key checks this transaction has queued on the table (rows another table refers to, removed
    # earlier in it) must run before its constraints can change: run them now, then defer again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
    empty = cursor.fetchone()[0]
    # Constraints first (foreign keys, then unique keys when empty), then the indexes no constraint owns.
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %(t)s::regclass "
        "AND (contype = 'f' OR (%(empty)s AND contype = 'u' AND conindid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE contype = 'f' AND confrelid = %(t)s::regclass))) "
        "ORDER BY contype",
        {"t": table, "empty": empty},
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %(t)s::regclass AND (NOT i.indisunique OR (%(empty)s AND NOT i.indisprimary)) "
        "AND i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = %(t)s::regclass "
        "OR confrelid = %(t)s::regclass)",
        {"t": table, "empty": empty},
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield empty
    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in reversed(constraints):  # unique keys before the foreign keys
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@dataclass
class Upsert:
    table: str
    insert: dict[str, str]  # target column -> expression over the stage (alias s) and `joins`
    conflict: list[str]
    match: str  # condition pairing stage s with target t on the natural key
    joins: str = ""
    update: list[str] = field(default_factory=list)  # default: every inserted column but the key

    def run(self, stage: Stage, *, scope=None) -> dict:
        """Load the staged rows. Call inside the commit's transaction."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {stage.table}")
            total = cursor.fetchone()[0]
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL work_mem = '256MB'")  # sort the staged rows in memory, not on disk
                with indexes_rebuilt_after(cursor, self.table, total) as empty:
                    if empty:
                        cursor.execute(self._insert(stage))
                        created = changed = cursor.rowcount
                    else:
                        sql, params = self._sql(stage, scope)
                        # xmax is 0 on a freshly inserted row version, set on one updated in place.
                        cursor.execute(
                            f"WITH written AS ({sql} RETURNING (xmax = 0) AS is_new) "
                            "SELECT count(*) FILTER (WHERE is_new), count(*) FROM written",
                            params,
                        )
                        created, changed = cursor.fetchone()
            else:
                sql, params = self._sql(stage, scope)
                cursor.execute(f"SELECT count(*) FROM {stage.table} s JOIN {self.table} t ON {self.match}")
                created = total - cursor.fetchone()[0]
                cursor.execute(sql, params)
                changed = max(cursor.rowcount, 0)
        updated = changed - created
        return {"created": created, "updated": updated, "unchanged": total - created - updated}

    def _insert(self, stage: Stage) -> str:
        return (
            f"INSERT INTO {self.table} ({', '.join(self.insert)}) "
            f"SELECT {', '.join(self.insert.values())} FROM {stage.table} s {self.joins}"
        )

    def _sql(self, stage: Stage, scope) -> tuple[str, list]:
        targets = list(self.insert)
        update = self.update or [c for c in targets if c not in self.conflict]
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        current = ", ".join(f"{self.table}.{c}" for c in update)
        incoming = ", ".join(f"excluded.{c}" for c in update)
        condition = f"({current}) {distinct} ({incoming})"
        params = []
        if scope is not None:
            condition += f" AND {self.table}.region_id IN (SELECT id FROM org_region WHERE path LIKE %s)"
            params.append(scope.path + "%")
        sql = (
            self._insert(stage)
            # Rows in key order fill the unique index sequentially instead of at random.
            + " WHERE true "
            f"ORDER BY {', '.join('s.' + c for c in self.conflict)} "
            f"ON CONFLICT ({', '.join(self.conflict)}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in update)
            + f" WHERE {condition}"
        )
        return sql, params
