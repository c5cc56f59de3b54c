"""`minping dbroles SITE_ROLE`: the privileges of the PostgreSQL role the site connects as.

Run it as the database's owner (the role that runs `minping migrate`) after every migration. The site's role may
read and write what the application writes, but it may never change or remove a ballot (in the ballot table or
the shuffle pool), a count, a free-text answer, an audit entry or a run of the composite assessment (the inputs
and definition a published grade recomputes from): UPDATE, DELETE and TRUNCATE on those tables are
withheld, and since it owns none of them it cannot ALTER them, disable their triggers or drop them. A pooled
ballot leaves the pool only through `evaluations_move_pooled`, a function owned by the owner that moves it
unchanged into the ballot table, which the site's role may not write itself. It owns the registry tables that imports load in
bulk (their keys are set aside and remade during a large load, which takes ownership); the owner is made a member
of the site's role, so later migrations still reach those tables.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from psycopg import sql

PROTECTED = ["evaluations_ballot", "evaluations_pooledballot", "results_tally", "results_textanswer", "audit_auditevent", "assessment_run"]
MOVE_FUNCTION = "evaluations_move_pooled(uuid[])"
SETTLE_FUNCTION = "evaluations_settle_pool(integer, integer, integer)"  # runs with the caller's rights, through the move
BULK_LOADED = ["org_region", "org_unit", "org_cadre", "org_post", "org_enterprise", "org_household", "org_resident"]


class Command(BaseCommand):
    help = "Grant the site's PostgreSQL role what the application needs, and withhold changing ballots, counts and the audit log."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role DATABASE_URL names for the web servers and workers")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("database roles exist on PostgreSQL only; the embedded SQLite has one user")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"no PostgreSQL role {role!r}: CREATE ROLE {role} LOGIN PASSWORD '…' first")
            cursor.execute("SELECT current_user")
            if cursor.fetchone()[0] == role:
                raise CommandError("run this as the database's owner, not as the site's role")
            cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [role])
            if not cursor.fetchone()[0]:
                try:
                    with transaction.atomic():
                        cursor.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(role)))
                except DatabaseError:
                    raise CommandError(f"the owner must be a member of {role}: as postgres, GRANT {role} TO the owner") from None
            with transaction.atomic():
                for statement in self.statements(role):
                    cursor.execute(statement)
        self.stdout.write(
            f"{role}: reads and writes the application's tables; may not change or remove "
            f"{', '.join(PROTECTED)}; moves pooled ballots through {MOVE_FUNCTION} only; "
            f"owns {', '.join(BULK_LOADED)}."
        )

    @staticmethod
    def statements(role: str) -> list:
        name, tables = sql.Identifier(role), sql.SQL(", ").join(map(sql.Identifier, PROTECTED))
        return [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(connection.settings_dict["NAME"]), name),
            sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(name),  # CREATE: imports' staging tables
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name),
            sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {} FROM {}").format(tables, name),
            sql.SQL("REVOKE INSERT ON evaluations_ballot FROM {}").format(name),  # ballots arrive by the move alone
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(MOVE_FUNCTION), name),
            sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(SETTLE_FUNCTION), name),
            *[sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(table), name) for table in BULK_LOADED],
        ]
