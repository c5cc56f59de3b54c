"""Import 1,000,000 residents from CSV and from xlsx into PostgreSQL, and time subtree queries on a
100,000-node region tree.

    DATABASE_URL=postgres://user:pass@host:5432/minping python bench/import_residents.py [--rows N]

Each import runs both steps as the console does: the check (parse, validate, look up keys, write the staged
file) and the commit (COPY + one upsert, in one transaction). The rate is rows over the time of both steps.
The files are generated in a child process. The peak memory reported is the highest sum of the resident set sizes
of this process and its children (the CSV check's helper processes) during the imports, sampled every 50 ms, or this
process's own peak if higher. A helper shares most of its pages with this process, and the sum counts them twice.
The last line is JSON: csv_rows_per_s, xlsx_rows_per_s, copy_rows_per_s (PostgreSQL's own COPY of the same CSV
into a scratch table, the floor), csv_ratio and xlsx_ratio (each import's rate ÷ that floor; targets ≥ 0.10 and
≥ 0.05), peak_rss_mb, subtree_ms.
"""

import argparse
import csv
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import parse_args, throwaway_database  # noqa: E402

STREETS, COMMUNITIES, GRIDS = 50, 20, 99  # 1 + 50 + 1,000 + 99,000 = 100,051 regions
HEADER = ["姓名", "身份证号", "手机号", "住址", "所属区域", "户编号"]


def resident_rows(count: int, seed: int = 7):
    from minping.lib.identity import id_check_char

    rng = random.Random(seed)
    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞"
    for n in range(count):
        # Unique numbers: the serial fills the region-code and sequence digits.
        first17 = f"33{n // 1000:04d}19{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{n % 1000:03d}"
        street, community, grid = rng.randrange(STREETS), rng.randrange(COMMUNITIES), rng.randrange(GRIDS)
        yield [
            rng.choice(surnames) + rng.choice(given) + rng.choice(given),
            first17 + id_check_char(first17),
            f"13{rng.randint(0, 999999999):09d}",
            f"幸福路{rng.randint(1, 999)}号",
            f"基准区/街道{street:02d}/社区{street:02d}{community:02d}/网格{street:02d}{community:02d}{grid:02d}",
            "",
        ]


def write_files(rows: int, directory: str) -> None:
    from openpyxl import Workbook

    with open(os.path.join(directory, "residents.csv"), "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(resident_rows(rows))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(HEADER)
    for row in resident_rows(rows, seed=8):
        sheet.append(row)
    workbook.save(os.path.join(directory, "residents.xlsx"))


def build_tree():
    from minping.org.models import Region, new_path_segment

    def level(parents, count, level_name, label):
        rows = [
            Region(name=label(p, i), level=level_name, parent=p, depth=p.depth + 1, path=p.path + new_path_segment())
            for p in parents
            for i in range(count)
        ]
        return Region.objects.bulk_create(rows, batch_size=5000)

    district = Region.objects.create(name="基准区", level="district", path=new_path_segment(), depth=0)
    streets = level([district], STREETS, "street", lambda p, i: f"街道{i:02d}")
    communities = level(streets, COMMUNITIES, "community", lambda p, i: f"社区{p.name[2:]}{i:02d}")
    level(communities, GRIDS, "grid", lambda p, i: f"网格{p.name[2:]}{i:02d}")
    with __import__("django").db.connection.cursor() as cursor:
        cursor.execute("ANALYZE org_region")
    return district, streets


def time_subtree(streets, runs: int = 50) -> dict:
    from minping.org.models import Region

    samples, sizes = [], []
    for street in random.Random(1).sample(streets, min(runs, len(streets))):
        started = time.perf_counter()
        ids = list(Region.objects.within(street).values_list("id", flat=True))
        samples.append((time.perf_counter() - started) * 1000)
        sizes.append(len(ids))
    started = time.perf_counter()
    whole = Region.objects.within(streets[0].parent).count()
    return {
        "subtree_ms": statistics.median(samples),
        "subtree_p95_ms": sorted(samples)[int(len(samples) * 0.95) - 1],
        "subtree_nodes": statistics.median(sizes),
        "tree_nodes": whole,
        "whole_tree_count_ms": (time.perf_counter() - started) * 1000,
    }


class MemoryWatch(threading.Thread):
    """Samples the summed RSS of this process and its children; `peak_mb` is the highest sum seen."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_mb, self.stopped = 0.0, threading.Event()

    @staticmethod
    def rss_kb(pid) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                return next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
        except OSError:
            return 0

    def run(self) -> None:
        me = os.getpid()
        while not self.stopped.wait(0.05):
            children = set()
            for task in os.listdir(f"/proc/{me}/task"):
                try:
                    with open(f"/proc/{me}/task/{task}/children") as fh:
                        children.update(fh.read().split())
                except OSError:
                    pass
            total = self.rss_kb(me) + sum(self.rss_kb(pid) for pid in children)
            self.peak_mb = max(self.peak_mb, total / 1024)


class DiskUpload:
    """What start_import needs of an upload, for a file already on disk."""

    def __init__(self, path):
        self.path, self.name, self.size = path, os.path.basename(path), os.path.getsize(path)

    def chunks(self, size=1 << 20):
        with open(self.path, "rb") as fh:
            while block := fh.read(size):
                yield block


def copy_floor(path: str) -> float:
    """Rows per second of PostgreSQL's own COPY of the CSV file into a scratch table of text columns: the floor
    the import's rate is a ratio to, measured on the same server in the same run."""
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_copy ({columns})")
        started = time.perf_counter()
        with open(path, "rb") as fh, cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    return rows / elapsed


def run_import(user, path) -> dict:
    from django.test import override_settings

    from minping.imports import actions
    from minping.imports.models import ImportJob

    with override_settings(TASK_RUNNER="inline"):
        started = time.perf_counter()
        job = actions.start_import(actor=user, register="residents", upload=DiskUpload(path))
        checked = time.perf_counter()
        job.refresh_from_db()
        if job.status != ImportJob.Status.VALID:
            sys.exit(f"check failed: {job.status} {job.problems[:5]} {job.result}")
        actions.commit_import(actor=user, job=job)
        done = time.perf_counter()
    job.refresh_from_db()
    if job.status != ImportJob.Status.DONE:
        sys.exit(f"commit failed: {job.result}")
    return {
        "rows": job.row_count,
        "check_s": checked - started,
        "commit_s": done - checked,
        "rows_per_s": job.row_count / (done - started),
        "result": job.result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parse_args(parser, smoke={"rows": 2000})
    directory = tempfile.mkdtemp(prefix="minping-bench-")
    started = time.perf_counter()
    generator = multiprocessing.get_context("fork").Process(target=write_files, args=(args.rows, directory))
    generator.start()
    with throwaway_database("bench_import"):
        from django.db import connection

        from minping.accounts.models import User

        district, streets = build_tree()
        tree = time_subtree(streets)
        print(
            f"region tree: {tree['tree_nodes']} nodes; a street's subtree ({tree['subtree_nodes']:.0f} nodes) "
            f"in {tree['subtree_ms']:.2f} ms median, {tree['subtree_p95_ms']:.2f} ms p95; "
            f"counting the whole tree {tree['whole_tree_count_ms']:.1f} ms"
        )
        user = User.objects.create_user("bench", role=User.Role.ORGANISER, region=district)
        generator.join()
        if generator.exitcode != 0:
            sys.exit("generating the files failed")
        watch = MemoryWatch()  # from here on: the imports
        watch.start()
        sizes = {ext: os.path.getsize(os.path.join(directory, f"residents.{ext}")) / 2**20 for ext in ("csv", "xlsx")}
        print(f"generated {args.rows} rows: CSV {sizes['csv']:.0f} MB, xlsx {sizes['xlsx']:.0f} MB ({time.perf_counter() - started:.0f} s)")
        copy_rows_per_s = copy_floor(os.path.join(directory, "residents.csv"))
        print(f"PostgreSQL's own COPY of the CSV into a scratch table: {copy_rows_per_s:,.0f} rows/s")
        figures = {}
        for ext in ("csv", "xlsx"):
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE org_resident CASCADE")  # and what refers to it (none here)
            run = run_import(user, os.path.join(directory, f"residents.{ext}"))
            figures[ext] = run
            print(
                f"{ext}: {run['rows']} rows, check {run['check_s']:.1f} s + commit {run['commit_s']:.1f} s "
                f"= {run['rows_per_s']:,.0f} rows/s; {run['result']}"
            )
        again = run_import(user, os.path.join(directory, "residents.xlsx"))
        print(f"xlsx re-import of the same file: {again['rows_per_s']:,.0f} rows/s; {again['result']}")
    watch.stopped.set()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    peak = max(own, watch.peak_mb)
    print(
        f"peak memory: {peak:.0f} MB, the importing process with its children (alone: {own:.0f} MB; "
        f"the largest child alone: {helper:.0f} MB)"
    )
    print(
        json.dumps(
            {
                "csv_rows_per_s": round(figures["csv"]["rows_per_s"]),
                "xlsx_rows_per_s": round(figures["xlsx"]["rows_per_s"]),
                "copy_rows_per_s": round(copy_rows_per_s),
                "csv_ratio": round(figures["csv"]["rows_per_s"] / copy_rows_per_s, 3),
                "xlsx_ratio": round(figures["xlsx"]["rows_per_s"] / copy_rows_per_s, 3),
                "peak_rss_mb": round(peak),
                "subtree_ms": round(tree["subtree_ms"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
