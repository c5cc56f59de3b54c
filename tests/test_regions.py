from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TransactionTestCase, skipUnlessDBFeature

from minping.audit.models import AuditEvent
from minping.org.actions import create_region, move_region, rename_region
from minping.org.models import Region, Resident
from tests.base import BaseTestCase, at_once, make_region


class RegionActionsTest(BaseTestCase):
    def test_it_creates_a_child_with_the_parents_path_as_prefix(self):
        grid = create_region(actor=self.office_a, name="第2网格", level="grid", parent=self.community_a)
        self.assertTrue(grid.path.startswith(self.community_a.path))
        self.assertEqual(grid.depth, 3)
        self.assertTrue(AuditEvent.objects.filter(action="region.create", object_id=str(grid.pk)).exists())

    def test_it_refuses_a_duplicate_name_under_one_parent(self):
        with self.assertRaises(ValidationError):
            create_region(actor=self.office_a, name="第1网格", level="grid", parent=self.community_a)

    def test_it_refuses_a_parent_outside_the_actors_subtree(self):
        with self.assertRaises(PermissionDenied):
            create_region(actor=self.organiser_a, name="新社区", level="community", parent=self.street_b)

    def test_only_an_administrator_creates_a_top_level_region(self):
        with self.assertRaises(PermissionDenied):
            create_region(actor=self.organiser_a, name="丙区", level="district", parent=None)
        create_region(actor=self.admin, name="丙区", level="district", parent=None)
        with self.assertRaises(ValidationError):
            create_region(actor=self.admin, name="丙区", level="district", parent=None)

    def test_subtree_query_returns_descendants_only(self):
        names = set(Region.objects.within(self.street_a).values_list("name", flat=True))
        self.assertEqual(names, {"一街道", "光明社区", "第1网格"})

    def test_moving_a_region_carries_its_subtree_and_data(self):
        move_region(actor=self.organiser_a, region=self.community_a, new_parent=self.other_street_a)
        self.grid_a.refresh_from_db()
        self.assertTrue(self.grid_a.path.startswith(self.other_street_a.path))
        self.assertEqual(self.grid_a.depth, 3)
        self.assertIn(self.resident_a, Resident.objects.within(self.other_street_a))
        self.assertNotIn(self.resident_a, Resident.objects.within(self.street_a))

    def test_it_refuses_to_move_a_region_under_its_own_descendant(self):
        with self.assertRaises(ValidationError):
            move_region(actor=self.organiser_a, region=self.street_a, new_parent=self.grid_a)
        with self.assertRaises(ValidationError):
            move_region(actor=self.organiser_a, region=self.street_a, new_parent=self.street_a)

    def test_it_refuses_to_move_into_another_district(self):
        with self.assertRaises(PermissionDenied):
            move_region(actor=self.organiser_a, region=self.community_a, new_parent=self.street_b)

    def test_rename_records_old_and_new_names(self):
        rename_region(actor=self.office_a, region=self.community_a, name="光明新社区", code="330212001001")
        event = AuditEvent.objects.get(action="region.rename")
        self.assertEqual(event.data, {"from": "光明社区", "to": "光明新社区"})

    def test_name_path_lists_ancestors(self):
        self.assertEqual(self.grid_a.name_path(), "甲区/一街道/光明社区/第1网格")
        self.assertEqual(make_region("x", "grid", self.grid_a).depth, 4)


@skipUnlessDBFeature("has_select_for_update")
class ConcurrentTreeChangesTest(TransactionTestCase):
    def setUp(self):
        BaseTestCase.setUpTestData.__func__(self)

    def outcomes(self, *changes) -> list[str]:
        results = at_once(*changes)
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ValidationError):
                raise result
        return sorted("refused" if isinstance(result, ValidationError) else "done" for result in results)

    def assert_tree_is_consistent(self):
        for region in Region.objects.select_related("parent"):
            if region.parent:
                self.assertTrue(region.path.startswith(region.parent.path), region.name)
                self.assertEqual(region.depth, region.parent.depth + 1, region.name)

    def test_two_crossing_moves_cannot_make_a_cycle(self):
        first, second = self.street_a, self.other_street_a  # siblings
        outcomes = self.outcomes(
            lambda: move_region(actor=self.organiser_a, region=first, new_parent=second),
            lambda: move_region(actor=self.organiser_a, region=second, new_parent=first),
        )
        self.assertEqual(outcomes, ["done", "refused"])
        self.assert_tree_is_consistent()

    def test_a_child_added_while_its_parent_moves_follows_it(self):
        outcomes = self.outcomes(
            lambda: move_region(actor=self.organiser_a, region=self.community_a, new_parent=self.other_street_a),
            lambda: create_region(actor=self.organiser_a, name="第9网格", level="grid", parent=self.community_a),
        )
        self.assertEqual(outcomes, ["done", "done"])
        self.assert_tree_is_consistent()
        self.assertTrue(Region.objects.get(name="第9网格").is_within(self.other_street_a))
