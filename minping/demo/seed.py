"""A synthetic district for demonstrations and tests: streets, communities, grids, units, cadres with posts,
enterprises, households and residents. Names are generated; ID numbers are valid but belong to nobody."""

import datetime as dt
import random

from django.db import transaction

from minping.audit.actions import record_event
from minping.lib.identity import credit_check_char, id_check_char, id_digest, mask_id
from minping.org.models import (
    Cadre,
    Enterprise,
    Household,
    Post,
    Region,
    Resident,
    Unit,
    new_path_segment,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰志强红梅海燕春梅晓东文博子涵雨欣浩然思远佳怡梓萱一鸣俊杰欣怡宇轩晨曦建华丽娟建军秀珍凤英桂芳德明玉珍金花兰英"
STREETS = [
    ("东湖街道", "street"),
    ("西山街道", "street"),
    ("南桥街道", "street"),
    ("北塘街道", "street"),
    ("青石镇", "street"),
    ("云溪镇", "street"),
]
COMMUNITY_NAMES = [
    "光明",
    "幸福",
    "和平",
    "新华",
    "长安",
    "春晖",
    "锦绣",
    "康乐",
    "丰收",
    "望江",
    "翠苑",
    "朝阳",
    "平安",
    "永宁",
    "文昌",
    "红星",
    "金桥",
    "兴隆",
    "东升",
    "万福",
]
VILLAGE_NAMES = ["上塘", "下洋", "石门", "桃源", "柳溪", "枫林", "杏花", "竹坑", "梅岭", "大岙", "后山", "前洋", "王家"]
DEPARTMENTS = [
    "组织部",
    "宣传部",
    "民政局",
    "住建局",
    "城管局",
    "市场监管局",
    "人社局",
    "卫健局",
    "教育局",
    "应急管理局",
    "自然资源局",
    "交通运输局",
    "农业农村局",
    "信访局",
    "司法局",
]
STATIONS = ["派出所", "司法所", "财政所", "综合执法中队", "市场监管所"]
RESIDENT_UNITS = ["供电所", "自来水公司营业所", "中心小学", "社区卫生服务中心"]
STREET_POSTS = [
    "党政办主任",
    "社会事务办科长",
    "城建办科长",
    "经济发展办科长",
    "综治办主任",
    "平安办科长",
    "农业办科长",
    "应急管理办科长",
    "党建办科长",
    "财政办科长",
    "信访办主任",
    "文化站站长",
]
ROADS = ["人民路", "解放路", "中山路", "建设路", "文化路", "湖滨路", "青年路", "新村路", "学府路", "长春路"]
INDUSTRY = ["科技", "商贸", "建材", "食品", "机械", "电子", "纺织", "物流", "餐饮", "印务"]
DISTRICT_CODE = "330299"


class Synth:
    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)
        self.serial = 0

    def name(self) -> str:
        given = self.random.choice(GIVEN) + (self.random.choice(GIVEN) if self.random.random() < 0.7 else "")
        return self.random.choice(SURNAMES) + given

    def id_number(self, min_age: int = 18, max_age: int = 90) -> str:
        self.serial += 1
        birth = dt.date(2026, 6, 30) - dt.timedelta(days=self.random.randint(min_age * 365, max_age * 365))
        first17 = f"{DISTRICT_CODE}{birth:%Y%m%d}{self.serial % 1000:03d}"
        # Keep numbers unique across the whole seed by varying the region code with the serial's thousands.
        first17 = f"33{(self.serial // 1000) % 10000:04d}{first17[6:]}"
        return first17 + id_check_char(first17)

    def phone(self) -> str:
        return self.random.choice(["138", "139", "150", "158", "186", "189", "135"]) + f"{self.random.randint(0, 99999999):08d}"

    def credit_code(self) -> str:
        self.serial += 1
        first17 = f"91{DISTRICT_CODE}MA{self.serial:07d}"[:17]
        first17 = first17.replace("I", "1").replace("O", "0")
        return first17 + credit_check_char(first17)


def person(synth: Synth, **age) -> dict:
    number = synth.id_number(**age)
    return {
        "name": synth.name(),
        "id_digest": id_digest(number),
        "id_masked": mask_id(number),
        "gender": "M" if int(number[16]) % 2 else "F",
        "birth_year": int(number[6:10]),
        "phone": synth.phone(),
    }


def _regions(parent: Region | None, specs: list[tuple[str, str]]) -> list[Region]:
    rows = [
        Region(
            name=name,
            level=level,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            path=(parent.path if parent else "") + new_path_segment(),
        )
        for name, level in specs
    ]
    return Region.objects.bulk_create(rows)


@transaction.atomic
def seed_district(*, name: str = "明湖区", residents: int = 50_000, seed: int = 2026) -> Region:
    synth = Synth(seed)
    district = _regions(None, [(name, "district")])[0]
    Region.objects.filter(pk=district.pk).update(code=DISTRICT_CODE)
    streets = _regions(district, STREETS)
    communities, grids = [], []
    for index, street in enumerate(streets):
        is_town = street.name.endswith("镇")
        pool = VILLAGE_NAMES if is_town else COMMUNITY_NAMES
        count = 7 if index < 4 else 6
        names = synth.random.sample(pool[1:], count)
        if index == 0:
            names[0] = pool[0]  # 光明社区, as in the Jizhou article
        specs = [(f"{n}村" if is_town else f"{n}社区", "community") for n in names]
        created = _regions(street, specs)
        communities += created
        for community in created:
            grids += _regions(community, [(f"第{i}网格", "grid") for i in range(1, 6)])

    units = Unit.objects.bulk_create(
        [Unit(name=d, kind="department", region=district) for d in DEPARTMENTS]
        + [Unit(name=f"{s.name}{t}", kind="station", region=s) for s in streets for t in STATIONS]
        + [Unit(name=f"{s.name}{t}", kind="resident_unit", region=s) for s in streets for t in RESIDENT_UNITS]
    )
    _cadres(synth, district, streets, communities, [u for u in units if u.kind == "department"])
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"明湖{synth.random.choice(COMMUNITY_NAMES)}{synth.random.choice(INDUSTRY)}有限公司{i}号",
            credit_code=synth.credit_code(),
            region=synth.random.choice(communities),
            contact_phone=synth.phone(),
        )
        for i in range(1, 201)
    )
    _households_and_residents(synth, grids, residents)
    record_event(
        actor=None,
        action="demo.seed",
        obj=district,
        data={"streets": len(streets), "communities": len(communities), "grids": len(grids), "units": len(units), "residents": residents},
    )
    return district


def _cadres(synth: Synth, district, streets, communities, departments) -> None:
    started = lambda: dt.date(2021, 1, 1) + dt.timedelta(days=synth.random.randint(0, 1500))  # noqa: E731
    plan: list[tuple[Region, dict]] = []  # (record region, post fields)
    for unit in departments:
        plan.append((district, {"unit": unit, "title": "负责人", "category": "director"}))
        plan.append((district, {"unit": unit, "title": "科长", "category": "section_chief"}))
    for street in streets:
        for title in STREET_POSTS:
            plan.append((street, {"region": street, "title": title, "category": "section_chief"}))
    for community in communities:
        village = community.name.endswith("村")
        plan.append((community, {"region": community, "title": "党组织书记", "category": "secretary"}))
        plan.append((community, {"region": community, "title": "村委会主任" if village else "居委会主任", "category": "director"}))
        for _ in range(2):
            plan.append((community, {"region": community, "title": "委员", "category": "member"}))
        if village:
            plan.append((community, {"region": community, "title": "第一书记", "category": "first_secretary"}))
            plan.append((community, {"region": community, "title": "驻村干部", "category": "village_based"}))
        else:
            plan.append((community, {"region": community, "title": "社区专职工作者（选聘生）", "category": "graduate_official"}))
    cadres = Cadre.objects.bulk_create(Cadre(region=region, **person(synth, min_age=24, max_age=58)) for region, _ in plan)
    Post.objects.bulk_create(Post(cadre=cadre, started_on=started(), **post) for cadre, (_r, post) in zip(cadres, plan))
    # Some history: earlier posts that ended.
    Post.objects.bulk_create(
        Post(
            cadre=cadre,
            region=cadre.region,
            title="网格员",
            category="other",
            started_on=dt.date(2018, 3, 1),
            ended_on=dt.date(2020, 12, 31),
        )
        for cadre in cadres[::7]
    )


def _households_and_residents(synth: Synth, grids, total: int) -> None:
    households, members = [], []
    made = 0
    while made < total:
        grid = grids[len(households) % len(grids)]
        size = min(synth.random.choice([1, 2, 2, 3, 3, 3, 4, 5]), total - made)
        code = f"H{DISTRICT_CODE}{len(households) + 1:07d}"
        address = f"{synth.random.choice(ROADS)}{synth.random.randint(1, 400)}号{synth.random.randint(1, 30)}幢"
        households.append(Household(code=code, address=address, region=grid))
        members.append((size, address, grid))
        made += size
    households = Household.objects.bulk_create(households, batch_size=2000)
    residents = []
    for household, (size, address, grid) in zip(households, members):
        for _ in range(size):
            residents.append(Resident(household=household, region=grid, address=address, **person(synth)))
        if len(residents) >= 5000:
            Resident.objects.bulk_create(residents)
            residents = []
    Resident.objects.bulk_create(residents)
