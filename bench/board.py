"""The public commitment board of a large district: the cost of a page must not grow with the district.

    DATABASE_URL=postgres://... python bench/board.py [--staff 2000] [--items 10000] [--requests 200]

Builds a district of 10 streets with 10 communities each, `--staff` cadres spread over them with a current post,
and one month of published commitment forms holding `--items` items in all, a third of them with progress and an
outcome. Measured through the full Django stack (test client, every middleware, anonymous like a resident on a
phone): board pages of the district, of a street and of a community, at random pages of each (p50, p95, p99), and
the item history page. The last line is JSON with board_p50_ms, board_p95_ms, board_p99_ms, item_p50_ms and the
process's peak memory.
"""

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import parse_args, percentile, throwaway_database  # noqa: E402


def build(staff: int, items: int, rng: random.Random):
    from django.utils import timezone

    from minping.accounts.models import User
    from minping.commitments import periods
    from minping.commitments.models import CommitmentForm, Item, Progress
    from minping.lib.identity import id_check_char, id_digest, mask_id
    from minping.org.models import Cadre, Post, Region

    district = Region.objects.create(name="基准区", level="district", path="bench0/", depth=0)
    streets, communities = [], []
    for s in range(10):
        street = Region.objects.create(name=f"街道{s}", level="street", parent=district, path=f"bench0/st{s:04d}/", depth=1)
        streets.append(street)
        for c in range(10):
            communities.append(
                Region.objects.create(name=f"社区{s}-{c}", level="community", parent=street, path=f"{street.path}cm{c:04d}/", depth=2)
            )
    places = streets + communities
    cadres = []
    for n in range(staff):
        first17 = f"330212{19700101 + n % 28:08d}"[:14] + f"{n % 1000:03d}"
        number = first17 + id_check_char(first17)
        cadres.append(
            Cadre(
                name=f"干部{n:04d}",
                id_digest=id_digest(f"{number}-{n}"),
                id_masked=mask_id(number),
                gender="M",
                birth_year=1980,
                region=places[n % len(places)],
            )
        )
    cadres = Cadre.objects.bulk_create(cadres, batch_size=2000)
    Post.objects.bulk_create(
        Post(cadre=c, region=c.region, title="委员", category="member", started_on=dt.date(2024, 1, 1)) for c in cadres
    )
    office = User.objects.create_user("bench-office", role="organiser", region=district)
    month = periods.month_of(timezone.localdate())
    now = timezone.now()
    forms = CommitmentForm.objects.bulk_create(
        (
            CommitmentForm(
                region=c.region,
                cadre=c,
                month=month,
                status="published",
                submitted_at=now,
                decided_at=now,
                decided_by=office,
                published_at=now,
                created_by=office,
            )
            for c in cadres
        ),
        batch_size=2000,
    )
    rows = []
    for n in range(items):
        form = forms[n % len(forms)]
        done = n % 3 == 0
        rows.append(
            Item(
                form=form,
                position=n // len(forms) + 1,
                category=rng.choice(["key_work", "key_project", "service"]),
                content=f"{form.region.name}第{n}项承诺：推进老旧小区改造和垃圾分类，走访困难群众",
                target=f"完成 {rng.randint(3, 30)} 处",
                deadline=periods.last_day(month),
                progress=100 if done else rng.randint(0, 80),
                outcome=rng.choice(["kept", "kept", "partly"]) if done else "open",
                revision=1 + (n % 17 == 0),
            )
        )
    rows = Item.objects.bulk_create(rows, batch_size=5000)
    Progress.objects.bulk_create(
        (
            Progress(item=i, percent=i.progress, text="已完成阶段任务", outcome=i.outcome, added_by=office)
            for i in rows
            if i.outcome != "open"
        ),
        batch_size=5000,
    )
    return district, streets, communities, month, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parse_args(parser, smoke={"staff": 30, "items": 200, "requests": 10})
    rng = random.Random(3)
    with throwaway_database("board"):
        from django.core.management import call_command
        from django.test import Client

        from minping.commitments.board import FORMS_PER_PAGE

        call_command("collectstatic", verbosity=0, interactive=False)  # the pages name their hashed static files

        started = time.perf_counter()
        district, streets, communities, month, items = build(args.staff, args.items, rng)
        print(f"built {args.staff} staff and {args.items} items in {time.perf_counter() - started:.1f} s")
        client = Client(HTTP_HOST="localhost")
        key = month.strftime("%Y-%m")
        targets = [(district, args.staff), *((s, args.staff // 10) for s in streets), *((c, args.staff // 110) for c in communities)]
        client.get(f"/board/{district.pk}/{key}/")  # warm the templates
        times = []
        for _ in range(args.requests):
            region, owners = rng.choice(targets)
            page = rng.randint(1, max(1, -(-owners // FORMS_PER_PAGE)))
            began = time.perf_counter()
            response = client.get(f"/board/{region.pk}/{key}/", {"page": page})
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code
        item_times = []
        for item in rng.sample(items, 50):
            began = time.perf_counter()
            response = client.get(f"/board/items/{item.pk}/")
            item_times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        figures = {
            "board_p50_ms": round(statistics.median(times), 1),
            "board_p95_ms": round(percentile(times, 95), 1),
            "board_p99_ms": round(percentile(times, 99), 1),
            "item_p50_ms": round(statistics.median(item_times), 1),
            "requests": len(times),
            "staff": args.staff,
            "items": args.items,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
        print(
            f"board page: p50 {figures['board_p50_ms']} ms, p95 {figures['board_p95_ms']} ms, p99 {figures['board_p99_ms']} ms "
            f"over {len(times)} requests; item page p50 {figures['item_p50_ms']} ms"
        )
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
