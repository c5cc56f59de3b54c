"""Demo commitments (seed 003, 箬横镇's 公开承诺践诺, and seed 001's 双诺): the first street's staff and its
communities' cadres with three months of published commitments (the last full quarter), their progress and
outcomes, a sample audit, a residents' rating of the quarter's last month cast through the same code path as real
voters', and the quarter assessed with its awards confirmed; this month's forms in every state, so each role's
workbench has work; duty reports and answered questions for the open campaign; one mutual pledge.

The past months are written directly, as the history of a system that was already running: the actions refuse
forms for months that have closed.
"""

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from minping.accounts.models import User
from minping.commitments import actions, periods
from minping.commitments.models import CommitmentForm, Item, Progress, Review
from minping.evaluations import actions as evaluations
from minping.evaluations.actions import casting
from minping.org.models import Cadre, Region, Unit
from minping.results.actions import close_campaign

WORK = {
    "key_work": [
        ("完成辖区{place}安全生产大检查", "检查企业 {n} 家，隐患整改率 100%"),
        ("推进{place}垃圾分类示范小区创建", "新增示范小区 {n} 个"),
        ("走访{place}困难群众和独居老人", "走访 {n} 户，建立帮扶台账"),
        ("开展{place}矛盾纠纷排查化解", "排查 {n} 起，化解率 95% 以上"),
    ],
    "key_project": [
        ("{place}老旧小区改造项目", "完成外立面和管网改造 {n} 栋"),
        ("{place}农贸市场提升工程", "完成摊位改造 {n} 个"),
        ("{place}口袋公园建设", "建成口袋公园 {n} 处"),
    ],
    "service": [
        ("{place}便民服务窗口“周末不打烊”", "每周六上午开放，办件 {n} 件以上"),
        ("为{place}企业提供上门代办服务", "代办事项 {n} 件，办结率 100%"),
    ],
}
OUTCOMES = [("kept", 76), ("partly", 17), ("not_kept", 7)]
REASONS = ["资金下月到位", "因天气原因延期", "涉及多个部门，协调中"]


def _photo(seed: int) -> bytes:
    image = Image.new("RGB", (320, 240), (40 + seed * 37 % 200, 120, 160))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def _items(rng: random.Random, form: CommitmentForm, month: dt.date, place: str) -> list[Item]:
    items = []
    templates = [(category, pair) for category, pairs in WORK.items() for pair in pairs]
    for position, (category, (content, target)) in enumerate(rng.sample(templates, rng.randint(2, 4)), start=1):
        deadline = min(periods.last_day(month), month + dt.timedelta(days=rng.randint(14, 30)))
        items.append(
            Item(
                form=form,
                position=position,
                category=category,
                content=content.format(place=place),
                target=target.format(n=rng.randint(3, 30)),
                deadline=deadline,
            )
        )
    return items


def seed_commitments(*, organiser: User, office: User, cadre_user: User, district: Region, open_campaign) -> dict:
    evaluations.install_builtin_instruments()
    rng = random.Random(2003)
    street = district.children.order_by("pk").first()
    offices = actions.save_sequence(
        actor=organiser,
        region=street,
        name="办所",
        quotas={"innovation_quota": "1", "excellent_min": "3", "excellent_max": "4", "good_quota": "2"},
    )
    areas = actions.save_sequence(
        actor=organiser,
        region=street,
        name="管理区",
        quotas={"innovation_quota": "1", "excellent_min": "3", "excellent_max": "4", "good_quota": "2"},
    )
    staff = list(Cadre.objects.filter(region=street, posts__ended_on__isnull=True).distinct().order_by("pk"))
    leaders = list(
        Cadre.objects.filter(region__parent=street, posts__ended_on__isnull=True, posts__category__in=["secretary", "director"])
        .distinct()
        .order_by("pk")
    )
    owners = [(c, offices) for c in staff] + [(c, areas) for c in leaders]
    today = timezone.localdate()
    this = periods.month_of(today)
    year, quarter = periods.quarter_of(this)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    months = periods.quarter_months(year, quarter)
    for month in months:
        _history(rng, owners, month, organiser, office)
    sample = actions.draw_sample(actor=organiser, region=street, month=months[-1], size=8)
    for check in sample.checks.select_related("item"):
        verdict = {"kept": "confirmed", "partly": "partly"}.get(check.item.outcome, "refuted")
        actions.record_check(actor=organiser, check=check, verdict=verdict, note="" if verdict == "confirmed" else "现场核查与报告有出入")
    rating = actions.open_rating(actor=organiser, region=street, month=months[-1], sequence=offices, quorum=10)
    pairs = evaluations.issue_codes(actor=organiser, campaign=rating, group=rating.groups.get(), count=40, channel="qr")
    rating = evaluations.open_campaign(actor=organiser, campaign=rating)
    subjects = list(rating.subjects.all())
    for token, _short in pairs[:36]:
        answers = {
            str(s.pk): {"kept": rng.choices(["satisfied", "fairly", "dissatisfied", "unknown"], [62, 26, 7, 5])[0]} for s in subjects
        }
        casting.cast_ballot(campaign=rating, code=token, answers={"subjects": answers, "general": {}}, channel="qr")
    close_campaign(actor=organiser, campaign=rating)
    assessment = actions.assess_quarter(actor=organiser, region=street, year=year, quarter=quarter)
    assessment = actions.confirm_awards(actor=organiser, assessment=assessment)
    _this_month(rng, owners, this, office, cadre_user)
    _duty_reports(organiser, open_campaign)
    _pledge(office, street)
    return {"assessment": assessment, "rating": rating}


def _history(rng, owners, month: dt.date, organiser, office) -> None:
    """A closed month: forms approved and posted, every item with progress and an outcome."""
    decided = timezone.make_aware(dt.datetime.combine(month - dt.timedelta(days=2), dt.time(10)))
    forms = CommitmentForm.objects.bulk_create(
        CommitmentForm(
            region=cadre.region,
            cadre=cadre,
            sequence=sequence,
            month=month,
            status="published",
            submitted_at=decided,
            decided_at=decided,
            decided_by=office,
            published_at=decided,
            created_by=office,
        )
        for cadre, sequence in owners
    )
    items = Item.objects.bulk_create(item for form in forms for item in _items(rng, form, month, form.region.name))
    updates, reviews = [], []
    for item in items:
        outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        percent = {"kept": 100, "partly": rng.randint(50, 80), "not_kept": rng.randint(0, 30)}[outcome]
        middle = timezone.make_aware(dt.datetime.combine(month + dt.timedelta(days=12), dt.time(16)))
        ended = timezone.make_aware(dt.datetime.combine(item.deadline, dt.time(17)))
        updates.append(Progress(item=item, percent=min(percent, 50), text="已按计划推进，完成阶段性任务", added_by=office, added_at=middle))
        updates.append(
            Progress(
                item=item,
                percent=percent,
                text="已完成" if outcome == "kept" else "未能全部完成",
                outcome=outcome,
                added_by=office,
                added_at=ended,
            )
        )
        item.progress, item.outcome = percent, outcome
        item.outcome_reason = "" if outcome == "kept" else rng.choice(REASONS)
        if outcome != "not_kept" and rng.random() < 0.85:  # the office verified most claims; the rest stay 自报
            item.verification = Item.Verification.CONFIRMED
            reviews.append(
                Review(item=item, claimed=outcome, verdict=item.verification, reviewed_by=office, reviewed_at=ended + dt.timedelta(days=2))
            )
    Progress.objects.bulk_create(updates)
    Item.objects.bulk_update(items, ["progress", "outcome", "outcome_reason", "verification"])
    Review.objects.bulk_create(reviews)


def _this_month(rng, owners, month: dt.date, office, cadre_user) -> None:
    """This month's forms through the actions: most posted with progress (some with photos), a few waiting for
    approval, one returned; the demo cadre's own posted, with work still open."""
    mine = cadre_user.cadre
    for index, (cadre, sequence) in enumerate(owners):
        actor = cadre_user if cadre == mine else office
        form = actions.start_form(actor=actor, owner=cadre, month=month, sequence=sequence)
        for item in _items(rng, form, month, cadre.region.name):
            actions.save_item(
                actor=actor,
                form=form,
                data={"category": item.category, "content": item.content, "target": item.target, "deadline": periods.last_day(month)},
            )
        actions.submit_form(actor=actor, form=form)
        if index % 9 == 4:
            continue  # waiting for approval
        if index % 9 == 7 and cadre != mine:
            actions.return_form(actor=office, form=form, reason="请把目标写成可以衡量的数字")
            continue
        actions.approve_form(actor=office, form=form)
        actions.publish_forms(actor=office, forms=[form])
        for n, item in enumerate(form.items.all()):
            files = [SimpleUploadedFile(f"现场{index}-{n}.jpg", _photo(index + n))] if index % 5 == 0 and n == 0 else []
            actions.add_progress(actor=actor, item=item, percent=str(rng.choice([20, 40, 60])), text="已启动，正在推进", files=files)


def _duty_reports(organiser, campaign) -> None:
    for n, subject in enumerate(campaign.subjects.all()):
        actions.write_duty_report(
            actor=organiser,
            subject=subject,
            text=(
                f"本人{subject.label}，驻村以来坚持每周在村工作不少于四天，走访农户 120 余户，"
                "协调解决道路硬化、饮水安全等实际问题 9 件。不足之处是产业发展思路还不够宽，下一步将……"
            ),
        )
        question = actions.ask_question(subject=subject, text="村里的路灯什么时候能修好？" if n % 2 == 0 else "合作社分红怎么算？")
        if n == 0:
            actions.answer_question(actor=organiser, question=question, answer="已列入本月计划，月底前修复。")


def _pledge(office, street) -> None:
    community = street.children.order_by("pk").first()
    unit = Unit.objects.filter(region=street, kind=Unit.Kind.RESIDENT_UNIT).order_by("pk").first()
    pledge = actions.sign_pledge(actor=office, community=community, unit=unit, signed_on=timezone.localdate())
    month = pledge.community_form.month
    end = dt.date(month.year, 12, 31)
    for form, (content, target) in [
        (pledge.community_form, ("为驻区单位职工子女提供暑期托管", "托管 30 人次")),
        (pledge.unit_form, ("开放单位停车场供居民夜间停车", "提供夜间车位 40 个")),
    ]:
        actions.save_item(actor=office, form=form, data={"category": "service", "content": content, "target": target, "deadline": end})
        actions.submit_form(actor=office, form=form)
