"""Every role's first page after login, in Debian's Chromium: the Chinese workbench of its work, never an error."""

from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.base import id_number, make_region
from tests.browser import ChromiumMixin, needs_chromium

pytestmark = needs_chromium


class RoleHomeBrowserTest(ChromiumMixin, StaticLiveServerTestCase):
    def setUp(self):
        from minping.accounts.models import User
        from minping.lib.identity import id_digest, mask_id
        from minping.org.models import Cadre, Unit

        district = make_region("甲区", "district")
        street = make_region("一街道", "street", district)
        grid = make_region("第1网格", "grid", make_region("光明社区", "community", street))
        number = id_number(7)
        cadre = Cadre.objects.create(
            name="王书记", id_digest=id_digest(number), id_masked=mask_id(number), gender="M", birth_year=1980, region=street
        )
        unit = Unit.objects.create(name="一街道城管中队", kind="department", region=street)
        regions = {
            "admin": None,
            "organiser": district,
            "office": street,
            "cadre": street,
            "handler": street,
            "grid_worker": grid,
            "interviewer": district,
        }
        for role, region in regions.items():
            User.objects.create_user(
                f"u_{role}",
                password="secret-pass-1",
                role=role,
                region=region,
                is_superuser=role == "admin",
                is_staff=role == "admin",
                cadre=cadre if role == "cadre" else None,
                unit=unit if role == "handler" else None,
            )
        self.roles = list(regions)

    def test_each_role_logs_in_to_its_workbench(self):
        for role in self.roles:
            with self.subTest(role=role):
                page = self.browser.new_page(viewport={"width": 390, "height": 844})
                try:
                    page.goto(self.live_server_url + "/")
                    page.fill("input[name=username]", f"u_{role}")
                    page.fill("input[name=password]", "secret-pass-1")
                    with page.expect_navigation():
                        page.click("button.primary")
                    response = page.goto(page.url)  # the page the login landed on, fetched again for its status
                    self.assertEqual(response.status, 200)
                    self.assertEqual(page.locator("h1").inner_text(), "我的工作台")
                    self.assertGreaterEqual(page.locator("section.workbench").count(), 1)
                    self.assertEqual(page.locator("html").get_attribute("lang"), "zh-hans")
                finally:
                    page.close()
