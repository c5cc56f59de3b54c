"""Demo field work (seed 004, 组工干部走基层): the district's department cadres and the demo cadre each keep the five
contact points of 五个一 and have a year of work-log entries, most read by a supervisor; suggestions and problems
raised along the way at every stage; monthly reception days at three communities with a rota; eight research
topics with fifteen forums and three site meetings; 蹲点 pairings on three key projects with their days on site,
exchanges and reports. The year is written directly, as a system already running would have it (with the
rollups the application keeps); this week's work goes through the actions: the demo cadre's entries, one of
whose problems is forwarded to the grid's dispatch, and an entry waiting for the supervisor."""

import datetime as dt
import random

from django.utils import timezone

from minping.accounts.models import User
from minping.fieldwork import actions
from minping.fieldwork.models import (
    Activity,
    CadreMonth,
    Contact,
    ContactKind,
    ContactYear,
    Entry,
    FollowUp,
    ItemStep,
    Meeting,
    Pairing,
    Project,
    ReceptionDay,
    Topic,
)
from minping.grid.models import Category
from minping.org.models import Cadre, Enterprise, Household, Region

TALENTS = ["返乡创业青年", "高级工程师", "乡村医生", "非遗传承人", "电商带头人", "农技专家"]
TALKS = [
    "了解老旧小区改造进度",
    "走访企业了解用工需求",
    "听取群众对物业管理的意见",
    "宣传惠企政策",
    "看望困难家庭，了解生活情况",
    "与大学生村官交流工作体会",
    "了解人才住房需求",
    "调研基层减负落实情况",
]
SUGGESTIONS = ["增设充电桩", "延长社区食堂营业时间", "开设老年大学课程", "增加公交班次", "简化企业办事流程", "设立人才服务窗口"]
PROBLEMS = ["小区路灯不亮", "企业门前道路破损", "楼道堆物堵塞通道", "雨污管道堵塞", "菜场周边占道经营", "困难家庭房屋漏水"]
TOPICS = [
    "基层减负落实情况调研",
    "年轻干部成长路径调研",
    "两新组织党建调研",
    "人才服务保障调研",
    "老旧小区治理调研",
    "村级集体经济发展调研",
    "社区工作者队伍建设调研",
    "干部担当作为激励机制调研",
]
PROJECTS = ["明湖大道改造工程", "滨江片区旧村改造", "数字产业园建设"]


def seed_fieldwork(*, district: Region, organiser: User, office: User, cadre_user: User) -> dict:
    rng = random.Random(2004)
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=364)
    cadres = list(Cadre.objects.filter(region=district).order_by("pk")[:24])
    if cadre_user.cadre_id and cadre_user.cadre_id not in {c.pk for c in cadres}:
        cadres.append(cadre_user.cadre)
    communities = list(Region.objects.filter(level="community", path__startswith=district.path).order_by("path"))
    enterprises = list(Enterprise.objects.filter(region__path__startswith=district.path).order_by("pk")[:200])
    officials = list(
        Cadre.objects.filter(posts__category__in=["graduate_official", "village_based"], region__path__startswith=district.path).distinct()[
            :60
        ]
    )
    households = list(Household.objects.filter(region__path__startswith=district.path).order_by("pk")[:400])
    kinds = {k.code: k for k in ContactKind.objects.all()}
    contacts = _contacts(rng, cadres, kinds, communities, enterprises, officials, households, organiser, year_ago)
    entries = _entries(rng, contacts, organiser, office, cadre_user, year_ago, today)
    _items(rng, entries, contacts, today)
    _receptions(rng, [c for c in communities if c.is_within(office.region)][:3], cadres, office, year_ago, today)
    _topics_and_meetings(rng, district, communities, cadres, organiser, year_ago, today)
    _pairings(rng, district, cadres, organiser, today)
    return _this_week(cadre_user, office, today)


def _contacts(rng, cadres, kinds, communities, enterprises, officials, households, organiser, since) -> list[Contact]:
    rows = []
    for n, cadre in enumerate(cadres):
        community = communities[n % len(communities)] if cadre.region.level != "community" else cadre.region
        rows += [
            Contact(cadre=cadre, kind=kinds["community"], region=community, community=community, name=community.name),
            Contact(
                cadre=cadre, kind=kinds["enterprise"], region=(e := enterprises[n % len(enterprises)]).region, enterprise=e, name=e.name
            ),
            Contact(
                cadre=cadre,
                kind=kinds["talent"],
                region=community,
                name=f"{rng.choice('王李张刘陈杨黄赵')}{rng.choice('明华强丽军芳')}",
                note=rng.choice(TALENTS),
            ),
            Contact(
                cadre=cadre,
                kind=kinds["family_in_difficulty"],
                region=(h := households[n % len(households)]).region,
                household=h,
                name=h.code,
            ),
        ]
        official = next((o for o in officials[n % max(1, len(officials)) :] + officials if o.pk != cadre.pk), None)
        if official is not None and n % 6:  # a few cadres still lack their graduate official: the coverage page shows them
            rows.append(
                Contact(cadre=cadre, kind=kinds["graduate_official"], region=official.region, official=official, name=official.name)
            )
    for row in rows:
        row.starts_on, row.created_by = since - dt.timedelta(days=30), organiser
    return Contact.objects.bulk_create(rows)


def _entries(rng, contacts, organiser, office, cadre_user, since, today) -> list[Entry]:
    rows = []
    forms = [Entry.Form.VISIT] * 5 + [Entry.Form.PHONE] * 3 + [Entry.Form.FORUM, Entry.Form.RECEPTION]
    for contact in contacts:
        day = since + dt.timedelta(days=rng.randrange(0, 20))
        while day < today - dt.timedelta(days=7):
            reviewed = rng.random() < 0.8
            rows.append(
                Entry(
                    cadre_id=contact.cadre_id,
                    contact=contact,
                    on=day,
                    form=rng.choice(forms),
                    discussed=rng.choice(TALKS),
                    written_by=cadre_user if contact.cadre_id == cadre_user.cadre_id else organiser,
                    created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(18, rng.randrange(60)))),
                    reviewed_by=office if reviewed else None,
                    comment="已阅，请持续跟进" if reviewed else "",
                    reviewed_at=timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=2), dt.time(9))) if reviewed else None,
                )
            )
            day += dt.timedelta(days=rng.randrange(12, 40))
    entries = Entry.objects.bulk_create(rows)
    months: dict = {}
    years: dict = {}
    for e in entries:
        counted = months.setdefault((e.cadre_id, e.on.replace(day=1)), [0, 0])
        counted[0] += 1
        counted[1] += e.form == Entry.Form.VISIT
        key = (e.contact_id, e.on.year)
        years[key] = (e.cadre_id, years.get(key, (0, 0))[1] | 1 << (e.on.month - 1))
    CadreMonth.objects.bulk_create(CadreMonth(cadre_id=c, month=m, entries=n, visits=v) for (c, m), (n, v) in months.items())
    ContactYear.objects.bulk_create(ContactYear(contact_id=k, year=y, cadre_id=c, months=bits) for (k, y), (c, bits) in years.items())
    return entries


def _items(rng, entries, contacts, today) -> None:
    by_pk = {c.pk: c for c in contacts}
    items = []
    for entry in rng.sample(entries, min(len(entries), 98)):
        contact = by_pk[entry.contact_id]
        kind = FollowUp.Kind.PROBLEM if len(items) % 7 < 2 else FollowUp.Kind.SUGGESTION
        raised = timezone.make_aware(dt.datetime.combine(entry.on, dt.time(18)))
        age = (today - entry.on).days
        status = (
            FollowUp.Status.CLOSED if age > 60 else rng.choice([FollowUp.Status.ACCEPTED, FollowUp.Status.PROPOSED, FollowUp.Status.ACTED])
        )
        proposed = raised + dt.timedelta(days=3) if status != FollowUp.Status.ACCEPTED else None
        closed = raised + dt.timedelta(days=rng.randrange(10, 50)) if status == FollowUp.Status.CLOSED else None
        items.append(
            FollowUp(
                kind=kind,
                text=rng.choice(PROBLEMS if kind == FollowUp.Kind.PROBLEM else SUGGESTIONS),
                region=contact.region,
                cadre_id=entry.cadre_id,
                entry=entry,
                raised_by=contact.name,
                raiser_kind=actions.raiser_kind_of(contact),
                status=status,
                solution="协调相关单位研究解决" if proposed else "",
                outcome="已落实并反馈" if closed else "",
                created_at=raised,
                proposed_at=proposed,
                closed_at=closed,
                told_at=closed,
                told_how="phone" if closed else "",
            )
        )
    items = FollowUp.objects.bulk_create(items)
    steps = []
    for item in items:
        steps.append(ItemStep(item=item, action="accept", note=item.text, at=item.created_at))
        if item.proposed_at:
            steps.append(ItemStep(item=item, action="propose", note=item.solution, at=item.proposed_at))
        if item.closed_at:
            steps += [
                ItemStep(item=item, action="act", note="已协调办理", at=item.closed_at - dt.timedelta(days=2)),
                ItemStep(item=item, action="close", note=item.outcome, at=item.closed_at),
                ItemStep(item=item, action="tell", note=actions.TOLD["phone"], at=item.closed_at),
            ]
    ItemStep.objects.bulk_create(steps)


def _receptions(rng, communities, cadres, office, since, today) -> None:
    for n, community in enumerate(communities):
        rota = [cadres[(n * 3 + k) % len(cadres)] for k in range(3)]
        schedule = actions.create_schedule(
            actor=office,
            region=community,
            place=f"{community.name}党群服务中心",
            day=20,
            cadres=rota,
            per_session=1,
            months=14,
            starts_on=since,
        )
        for session in ReceptionDay.objects.filter(schedule=schedule, on__lte=today):
            visitors = rng.randrange(2, 12)
            ReceptionDay.objects.filter(pk=session.pk).update(held=True, visitors=visitors, notes=f"接待群众 {visitors} 人次")


def _topics_and_meetings(rng, district, communities, cadres, organiser, since, today) -> None:
    topics = Topic.objects.bulk_create(
        Topic(
            region=district,
            title=title,
            owner=cadres[n % len(cadres)],
            deliverables="调研报告一篇，政策建议若干",
            starts_on=since + dt.timedelta(days=30 * n),
            due_on=since + dt.timedelta(days=30 * n + 120),
            concluded_on=since + dt.timedelta(days=30 * n + 110) if 30 * n + 110 < 364 else None,
            conclusion="形成调研报告并提交部务会" if 30 * n + 110 < 364 else "",
            created_by=organiser,
        )
        for n, title in enumerate(TOPICS)
    )
    people = [12, 14, 15, 16, 13, 18, 11, 17, 12, 14, 16, 15, 13, 12, 11, 9, 10, 9]  # 237 in all, as in seed 004
    documents = {
        2: ["关于进一步为基层减负的若干措施"],
        6: ["年轻干部培养实施意见"],
        9: ["人才服务“一件事”办理指南"],
        13: ["社区工作者管理办法"],
    }
    suggestions = iter([f"{s}（座谈会）" for s in SUGGESTIONS] * 12)
    for n, participants in enumerate(people):
        held = since + dt.timedelta(days=20 * n + 5)
        meeting = Meeting.objects.create(
            region=rng.choice(communities),
            kind=Meeting.Kind.FORUM if n < 15 else Meeting.Kind.SITE,
            title=f"{topics[n % 8].title.removesuffix('调研')}{'座谈会' if n < 15 else '现场推进会'}",
            held_on=held,
            topic=topics[n % 8],
            convener=topics[n % 8].owner,
            participants=participants,
            documents=documents.get(n, []),
            created_by=organiser,
        )
        for _ in range(3 if n < 16 else 2):
            text = next(suggestions)
            FollowUp.objects.create(
                kind=FollowUp.Kind.SUGGESTION,
                text=text,
                region=meeting.region,
                cadre=meeting.convener,
                meeting=meeting,
                raised_by="参会人员",
                status=FollowUp.Status.CLOSED if n < 12 else FollowUp.Status.PROPOSED,
                solution="纳入课题成果",
                outcome="已吸收进政策文件" if n < 12 else "",
                created_at=timezone.make_aware(dt.datetime.combine(held, dt.time(16))),
                proposed_at=timezone.make_aware(dt.datetime.combine(held + dt.timedelta(days=5), dt.time(16))),
                closed_at=timezone.make_aware(dt.datetime.combine(held + dt.timedelta(days=30), dt.time(16))) if n < 12 else None,
            )


def _pairings(rng, district, cadres, organiser, today) -> None:
    seniors = list(
        Cadre.objects.filter(region__path__startswith=district.path).exclude(pk__in=[c.pk for c in cadres]).order_by("-birth_year")[:3]
    )
    start = today - dt.timedelta(days=180)
    for n, name in enumerate(PROJECTS):
        project = Project.objects.create(region=district, name=name, description="区重点项目")
        pairing = Pairing.objects.create(
            project=project,
            cadre=cadres[n],
            senior=seniors[n % len(seniors)],
            starts_on=start,
            ends_on=today + dt.timedelta(days=180),
            created_by=organiser,
        )
        rows = []
        day = start
        while day < today:
            if rng.random() < (0.9 - 0.25 * n):  # the three pairings keep the cadence differently
                rows.append(
                    Activity(
                        pairing=pairing,
                        kind=Activity.Kind.SITE_DAY,
                        on=day + dt.timedelta(days=rng.randrange(5)),
                        text="到项目现场协调推进",
                        by=organiser,
                    )
                )
            if day.day <= 7:
                rows.append(
                    Activity(pairing=pairing, kind=Activity.Kind.EXCHANGE, on=day, text="与二线干部交流项目推进中的难点", by=organiser)
                )
                if rng.random() < 0.8 - 0.2 * n:
                    rows.append(
                        Activity(
                            pairing=pairing,
                            kind=Activity.Kind.REPORT,
                            on=day + dt.timedelta(days=1),
                            title=f"{name}推进情况报告",
                            text="本月项目进展顺利，征地拆迁完成过半，需协调解决资金拨付问题。",
                            by=organiser,
                        )
                    )
            day += dt.timedelta(days=7)
        Activity.objects.bulk_create(rows, ignore_conflicts=True)


def _this_week(cadre_user: User, office: User, today) -> dict:
    """The demo cadre's week: two entries (one with a problem forwarded to the grid's dispatch), one unread."""
    mine = list(Contact.objects.filter(cadre_id=cadre_user.cadre_id).select_related("kind").order_by("kind__position"))
    if not mine:
        return {}
    first, _ = actions.record_entry(
        actor=cadre_user,
        contact=mine[0],
        on=today,
        form="visit",
        discussed="走访社区，听取居民对老旧小区改造的意见",
        problems="幸福路路灯不亮",
        suggestions="增设电动自行车充电桩",
        raiser_contact="13900001111",
    )
    actions.record_entry(actor=cadre_user, contact=mine[1 % len(mine)], on=today, form="phone", discussed="电话了解企业用工需求")
    problem = first.items.get(kind=FollowUp.Kind.PROBLEM)
    actions.forward_item(
        actor=cadre_user, item=problem, category=Category.objects.get(code="facilities"), address=f"{mine[0].region.name}幸福路"
    )
    return {"entry": first}
