"""Codes and trackers: random characters of the code alphabet, a check character that catches typos."""

from django.test import SimpleTestCase

from minping.evaluations import codes
from minping.evaluations.actions.casting import new_tracker


class RandomCharsTest(SimpleTestCase):
    def test_every_position_draws_from_the_whole_alphabet(self):
        drawn = [codes.random_chars(10) for _ in range(2000)]
        self.assertTrue(all(len(d) == 10 for d in drawn))
        for position in range(10):
            with self.subTest(position=position):
                # A given character is missing from 2,000 draws with probability (31/32)^2000, about 1e-28.
                self.assertEqual({d[position] for d in drawn}, set(codes.ALPHABET))

    def test_lengths_that_do_not_fill_whole_bytes(self):
        for count in (1, 3, 7, 11, 16):
            self.assertEqual(len(codes.random_chars(count)), count)


class NewCodeTest(SimpleTestCase):
    def test_a_new_short_code_passes_its_own_check(self):
        for _ in range(200):
            token, short = codes.new_code()
            self.assertRegex(token, codes.TOKEN_RE)
            self.assertEqual(codes.normalise_short(codes.format_short(short).lower()), short)

    def test_one_mistyped_character_is_caught(self):
        _token, short = codes.new_code()
        for position in range(len(short)):
            for char in codes.ALPHABET:
                if char != short[position]:
                    with self.assertRaises(codes.CodeFormatError):
                        codes.normalise_short(short[:position] + char + short[position + 1 :])

    def test_trackers_are_two_groups_of_five(self):
        self.assertRegex(new_tracker(), r"^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")
