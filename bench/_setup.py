"""Shared set-up for benchmarks: a throwaway PostgreSQL database next to the one DATABASE_URL names."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def throwaway_database(label: str):
    """Create `<name>_<label>` on the server of DATABASE_URL, point Django at it, migrate; drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user:password@host:port/name).")
    parts = urlsplit(url)
    name = f"{(parts.path.lstrip('/') or 'minping')}_{label}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ.setdefault("MINPING_DATA_DIR", tempfile.mkdtemp(prefix=f"minping-{label}-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minping.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_cadres(region, count: int, birth: str = "19800101"):
    """`count` cadres of `region`, each with a current post, with valid synthetic ID numbers."""
    import datetime as dt

    from minping.lib.identity import id_check_char, id_digest, mask_id
    from minping.org.models import Cadre, Post

    cadres = []
    for n in range(count):
        first17 = f"330212{birth}{n:03d}"
        number = first17 + id_check_char(first17)
        cadre = Cadre.objects.create(
            name=f"干部{n:02d}",
            id_digest=id_digest(number),
            id_masked=mask_id(number),
            gender="M",
            birth_year=int(birth[:4]),
            region=region,
        )
        Post.objects.create(cadre=cadre, region=region, title="委员", category="member", started_on=dt.date(2024, 1, 1))
        cadres.append(cadre)
    return cadres


def percentile(values, q: float) -> float:
    """The q-th percentile of `values` (nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def parse_args(parser, smoke: dict):
    """The parsed arguments, with `--smoke` added: a tiny size of every figure (`smoke`), for CI to run in
    seconds so that no benchmark rots; the full sizes stay the defaults for measuring."""
    parser.add_argument("--smoke", action="store_true", help="a tiny size, for CI: seconds, not minutes")
    args = parser.parse_args()
    if args.smoke:
        for name, value in smoke.items():
            setattr(args, name, value)
    return args
