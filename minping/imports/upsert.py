"""Set-based loading of a staged file into a table: one temporary table, one INSERT … ON CONFLICT.

PostgreSQL fills the temporary table with COPY; SQLite with executemany. The upsert rewrites only rows
whose values differ, and never a row outside the actor's scope, so re-importing a file changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field
from itertools import islice

from django.db import connection

STAGE = "minping_import_stage"


@dataclass
class Upsert:
    table: str
    stage: list[tuple[str, str]]
    insert: dict[str, str]  # target column -> expression over the stage (alias s) and `joins`
    conflict: list[str]
    match: str  # condition pairing stage s with target t on the natural key
    joins: str = ""
    update: list[str] = field(default_factory=list)  # default: every inserted column but the key

    def run(self, staged_file, *, scope=None) -> dict:
        """Load `staged_file` (an open text file of CSV rows in `stage` order). Call inside a transaction."""
        columns = ", ".join(f"{name} {kind}" for name, kind in self.stage)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns})")
            total = self._fill(cursor, staged_file)
            cursor.execute(f"SELECT count(*) FROM {STAGE} s JOIN {self.table} t ON {self.match}")
            existing = cursor.fetchone()[0]
            sql, params = self._upsert_sql(scope)
            cursor.execute(sql, params)
            changed = max(cursor.rowcount, 0)
            cursor.execute(f"DROP TABLE {STAGE}")
        created = total - existing
        updated = changed - created
        return {"created": created, "updated": updated, "unchanged": existing - updated}

    def _fill(self, cursor, staged_file) -> int:
        names = ", ".join(name for name, _kind in self.stage)
        if connection.vendor == "postgresql":
            text_columns = ", ".join(name for name, kind in self.stage if kind == "text")
            copy_sql = f"COPY {STAGE} ({names}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({text_columns}))"
            with cursor.cursor.copy(copy_sql) as copy:
                while block := staged_file.read(1 << 20):
                    copy.write(block)
            cursor.execute(f"SELECT count(*) FROM {STAGE}")
            return cursor.fetchone()[0]
        placeholders = ", ".join("%s" for _ in self.stage)
        rows = csv.reader(staged_file)
        total = 0
        while batch := list(islice(rows, 5000)):
            cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({placeholders})", batch)
            total += len(batch)
        return total

    def _upsert_sql(self, scope) -> tuple[str, list]:
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
            f"INSERT INTO {self.table} ({', '.join(targets)}) "
            f"SELECT {', '.join(self.insert.values())} FROM {STAGE} s {self.joins} WHERE true "
            f"ON CONFLICT ({', '.join(self.conflict)}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in update)
            + f" WHERE {condition}"
        )
        return sql, params


def staged_reader(path) -> io.TextIOBase:
    return open(path, encoding="utf-8", newline="")
