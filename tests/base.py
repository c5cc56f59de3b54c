"""Personas from two districts, shared by the tests."""

import datetime as dt
import threading

from django.db import connection
from django.test import TestCase, override_settings

from minping.accounts.models import User
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


def make_region(name: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.create(
        name=name,
        level=level,
        parent=parent,
        depth=parent.depth + 1 if parent else 0,
        path=(parent.path if parent else "") + new_path_segment(),
    )


def id_number(serial: int, birth: str = "19800101") -> str:
    first17 = f"330212{birth}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def credit_code(serial: int) -> str:
    first17 = f"91330212MA{serial:07d}"
    return first17 + credit_check_char(first17)


def make_resident(name: str, region: Region, serial: int, household=None, phone="13800001234") -> Resident:
    number = id_number(serial)
    return Resident.objects.create(
        name=name,
        id_digest=id_digest(number),
        id_masked=mask_id(number),
        gender="M",
        birth_year=1980,
        phone=phone,
        region=region,
        household=household,
    )


def at_once(*calls) -> list:
    """Run the calls in threads released together, each on its own database connection; what each returned, or
    the exception it raised, in the order given. For races that only a real database settles."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@override_settings(TASK_RUNNER="inline")
class BaseTestCase(TestCase):
    """District A (甲区 > 一街道 > 光明社区 > 第1网格) and district B (乙区 > 二街道 > 和平社区)."""

    @classmethod
    def setUpTestData(cls):
        cls.district_a = make_region("甲区", "district")
        cls.street_a = make_region("一街道", "street", cls.district_a)
        cls.community_a = make_region("光明社区", "community", cls.street_a)
        cls.grid_a = make_region("第1网格", "grid", cls.community_a)
        cls.other_street_a = make_region("三街道", "street", cls.district_a)
        cls.district_b = make_region("乙区", "district")
        cls.street_b = make_region("二街道", "street", cls.district_b)
        cls.community_b = make_region("和平社区", "community", cls.street_b)

        cls.unit_a = Unit.objects.create(name="一街道派出所", kind="station", region=cls.street_a)
        cls.unit_b = Unit.objects.create(name="二街道派出所", kind="station", region=cls.street_b)
        number_a, number_b = id_number(901), id_number(902)
        cls.cadre_a = Cadre.objects.create(
            name="王书记", id_digest=id_digest(number_a), id_masked=mask_id(number_a), gender="M", birth_year=1980, region=cls.community_a
        )
        cls.cadre_b = Cadre.objects.create(
            name="李书记", id_digest=id_digest(number_b), id_masked=mask_id(number_b), gender="F", birth_year=1980, region=cls.community_b
        )
        Post.objects.create(
            cadre=cls.cadre_a, region=cls.community_a, title="社区书记", category="secretary", started_on=dt.date(2022, 1, 1)
        )
        Post.objects.create(
            cadre=cls.cadre_b, region=cls.community_b, title="社区书记", category="secretary", started_on=dt.date(2022, 1, 1)
        )
        cls.enterprise_a = Enterprise.objects.create(name="甲区科技有限公司", credit_code=credit_code(1), region=cls.community_a)
        cls.enterprise_b = Enterprise.objects.create(name="乙区商贸有限公司", credit_code=credit_code(2), region=cls.community_b)
        cls.household_a = Household.objects.create(code="HA001", address="幸福路1号", region=cls.grid_a)
        cls.household_b = Household.objects.create(code="HB001", address="和平路1号", region=cls.community_b)
        cls.resident_a = make_resident("张三", cls.grid_a, 1, cls.household_a)
        cls.resident_b = make_resident("赵六", cls.community_b, 2, cls.household_b)

        cls.admin = User.objects.create_user("admin", password="x", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
        cls.organiser_a = User.objects.create_user("org_a", password="x", role=User.Role.ORGANISER, region=cls.district_a)
        cls.organiser_b = User.objects.create_user("org_b", password="x", role=User.Role.ORGANISER, region=cls.district_b)
        cls.office_a = User.objects.create_user("office_a", password="x", role=User.Role.OFFICE, region=cls.street_a)
        cls.cadre_user = User.objects.create_user("cadre_a", password="x", role=User.Role.CADRE, region=cls.community_a, cadre=cls.cadre_a)
        cls.grid_worker = User.objects.create_user("grid_a", password="x", role=User.Role.GRID_WORKER, region=cls.grid_a)
        cls.interviewer = User.objects.create_user("caller_a", password="x", role=User.Role.INTERVIEWER, region=cls.district_a)
        cls.handler = User.objects.create_user("handler_a", password="x", role=User.Role.HANDLER, region=cls.street_a, unit=cls.unit_a)


def api_key(*, user, name: str) -> str:
    """A key for `user`, made as the user would make it in the console."""
    from minping.accounts.actions import create_api_key

    return create_api_key(actor=user, user=user, name=name)


NUMBER_AS_TEXT = r"[+-]?\d+(\.\d+)?%?|\d{4}-\d{2}-\d{2}"


def typed_cells_only(test, xlsx: bytes) -> None:
    """Fails if any cell of the workbook holds a number, a percentage or a date as text: a sheet must be able to
    sort and sum what it shows."""
    import io
    import re

    from openpyxl import load_workbook

    found = [
        f"{ws.title}!{cell.coordinate}={cell.value!r}"
        for ws in load_workbook(io.BytesIO(xlsx))
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "s" and re.fullmatch(NUMBER_AS_TEXT, cell.value.strip())
    ]
    test.assertEqual(found, [])
