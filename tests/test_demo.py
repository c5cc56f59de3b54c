from django.test import TestCase

from minping.accounts.models import User
from minping.audit.actions import verify_chain
from minping.demo.management.commands.demo import demo_users
from minping.demo.seed import seed_district
from minping.org.models import Cadre, Enterprise, Post, Region, Resident


class DemoSeedTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.district = seed_district(residents=2000)

    def test_the_district_has_streets_communities_and_grids(self):
        levels = dict(Region.objects.within(self.district).values_list("level").annotate(n=__import__("django").db.models.Count("id")))
        self.assertEqual(levels["street"], 6)
        self.assertEqual(levels["community"], 40)
        self.assertEqual(levels["grid"], 200)

    def test_cadres_hold_real_posts_and_residents_are_counted(self):
        self.assertGreaterEqual(Cadre.objects.count(), 300)
        self.assertTrue(Post.objects.current().filter(category="first_secretary").exists())
        self.assertEqual(Resident.objects.count(), 2000)
        self.assertEqual(Enterprise.objects.count(), 200)

    def test_there_is_one_user_per_role_and_a_rerun_keeps_their_passwords(self):
        first = demo_users(self.district)
        second = demo_users(self.district)
        self.assertEqual(first, second)
        self.assertEqual(set(User.objects.values_list("role", flat=True)), set(User.Role.values))
        username, password, _role = first[1]
        self.assertTrue(self.client.login(username=username, password=password))

    def test_seeding_is_audited(self):
        checked, _broken, reason = verify_chain()
        self.assertEqual((checked, reason), (1, ""))
