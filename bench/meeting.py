"""One on-site meeting on the embedded default: SQLite, the server `minping demo` runs, no other services.

    python bench/meeting.py [--voters 500] [--seconds 50]

500 residents arrive over 50 seconds and each votes on a phone: the code page and its stylesheet, the ballot
for the code on their slip (8 cadres × 6 questions), the review step, the submission. The last line is JSON
with voters (ballots stored), errors and p99_ms (over every request).
"""

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, make_cadres, parse_args  # noqa: E402

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBJECTS = 8


def seed(voters: int) -> tuple[list[str], dict]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from minping.accounts.models import User
    from minping.evaluations import actions
    from minping.evaluations.models import Instrument
    from minping.org.models import Region, new_path_segment

    community = Region.objects.create(name="光明社区", level="community", path=new_path_segment())
    user = User.objects.create_user("organiser", role=User.Role.ORGANISER, region=community)
    cadres = make_cadres(community, SUBJECTS, birth="19750601")
    instrument = Instrument.objects.get(builtin_key="party_secretary", region__isnull=True)
    campaign = actions.create_campaign(
        actor=user, name="光明社区干部述职测评", region=community, instrument=instrument, channels=["qr"], quorum=50
    )
    actions.add_subjects(actor=user, campaign=campaign, subjects=cadres)
    pairs = actions.issue_codes(actor=user, campaign=campaign, group=campaign.groups.get(), count=voters, channel="qr")
    campaign = actions.open_campaign(actor=user, campaign=campaign)
    answers = {}
    for subject in campaign.subjects.all():
        for question in campaign.definition["subject_questions"]:
            answers[f"s{subject.pk}__{question['key']}"] = "competent" if question["type"] == "grade" else "satisfied"
    return [short for _token, short in pairs], answers


class Phone:
    """One voter's phone: its own connection and cookies, following redirects, timing every request."""

    def __init__(self, port: int, timings: list, errors: list):
        self.port, self.timings, self.errors = port, timings, errors
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> str:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Origin": f"http://127.0.0.1:{self.port}"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, data, headers)
            response = connection.getresponse()
            text = response.read().decode()
        except OSError as exc:
            self.errors.append(f"{path}: {exc}")
            return ""
        finally:
            connection.close()
        self.timings.append((time.perf_counter() - started) * 1000)
        if response.status >= 400:
            self.errors.append(f"{path}: HTTP {response.status}")
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name] = value
        if response.status in (302, 303):
            return self.request("GET", response.getheader("Location"))
        return text

    def vote(self, code: str, answers: dict) -> None:
        page = self.request("GET", "/v/")
        self.request("GET", "/static/minping/voter.css")
        match = TOKEN_RE.search(page)
        if not match:
            self.errors.append("no form token")
            return
        token = match.group(1)
        ballot = self.request("POST", "/v/", {"csrfmiddlewaretoken": token, "code": code})
        submission = re.search(r'name="submission" value="([^"]+)"', ballot)
        form = {"csrfmiddlewaretoken": token, "code": code, "submission": submission.group(1) if submission else "", **answers}
        self.request("POST", "/v/ballot/", {**form, "step": "review"})
        receipt = self.request("POST", "/v/ballot/", {**form, "step": "submit"})
        if 'id="tracker"' not in receipt:
            self.errors.append("no receipt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=50)
    args = parse_args(parser, smoke={"voters": 50, "seconds": 5})
    data = tempfile.mkdtemp(prefix="minping-meeting-")
    os.environ.update({"MINPING_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "minping.settings"})
    os.environ.pop("DATABASE_URL", None)  # the embedded default
    import django

    django.setup()
    codes, answers = seed(args.voters)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "minping", "serve", "--port", str(port)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    timings: list[float] = []
    errors: list[str] = []
    threads = []
    started = time.perf_counter()
    try:
        for index, code in enumerate(codes):
            delay = started + index * args.seconds / len(codes) - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            thread = threading.Thread(target=Phone(port, timings, errors).vote, args=(code, answers))
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    from minping.evaluations.models import Ballot, PooledBallot

    voters = Ballot.objects.count() + PooledBallot.objects.count()  # cast, moved out of the shuffle pool or not
    timings.sort()
    p50, p99 = timings[len(timings) // 2], timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(
        f"{voters} of {len(codes)} voters' ballots stored in {elapsed:.1f} s; {len(timings)} requests, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {timings[-1]:.1f} ms; {len(errors)} errors {errors[:3]}"
    )
    print(json.dumps({"voters": voters, "errors": len(errors), "p99_ms": round(p99, 1)}))


if __name__ == "__main__":
    main()
