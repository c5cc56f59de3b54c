import datetime as dt

import pytest

from minping.lib.dates import parse_date
from minping.lib.identity import (
    clean_code,
    clean_text,
    id_check_char,
    mask_id,
    mask_phone,
    parse_credit_code,
    parse_id_number,
    parse_phone,
)

VALID_ID = "11010519491231002X"  # the standard's own worked example


def test_it_accepts_a_valid_id_number():
    assert parse_id_number(VALID_ID) == (VALID_ID, "F", 1949)


def test_it_normalises_full_width_digits_spaces_and_lower_x():
    assert parse_id_number(" １１０１０５ １９４９１２３１００２ｘ ")[0] == VALID_ID


@pytest.mark.parametrize("bad", ["110105194912310021", "11010519491231002", "1101051949123100XX", "110105194913310027", ""])
def test_it_rejects_bad_id_numbers(bad):
    with pytest.raises(ValueError):
        parse_id_number(bad)


def with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    "number, expected",
    [
        (with_check("11010519000101001"), ("M", 1900)),
        (with_check("11010521001231004"), ("F", 2100)),
        (with_check("11010519800231009"), ("M", 1980)),  # day 1-31 in any month, as the rule has always been
        (with_check("11010518991231001"), "出生日期"),
        (with_check("11010521010101001"), "出生日期"),
        (with_check("11010519800001001"), "出生日期"),
        (with_check("11010519801301001"), "出生日期"),
        (with_check("11010519800100001"), "出生日期"),
        (with_check("11010519800132001"), "出生日期"),
        ("110105198001010010", "校验位"),
        ("11010519800101001Y", "18位"),
    ],
)
def test_id_numbers_are_checked_at_the_edges_of_each_rule(number, expected):
    if isinstance(expected, tuple):
        assert parse_id_number(number) == (number, *expected)
    else:
        with pytest.raises(ValueError, match=expected):
            parse_id_number(number)


def test_check_character_matches_the_standard():
    assert id_check_char("11010519491231002") == "X"


def test_id_numbers_are_never_shown_whole():
    assert mask_id(VALID_ID) == "110105********002X"


def test_phones_are_validated_and_masked():
    assert parse_phone("+86 138-0013-8000") == "13800138000"
    assert parse_phone("0574-87654321") == "057487654321"
    assert mask_phone("13800138000") == "138****8000"
    with pytest.raises(ValueError):
        parse_phone("12345")


def test_credit_codes_are_checked():
    assert parse_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    with pytest.raises(ValueError):
        parse_credit_code("91350100M000100Y44")
    with pytest.raises(ValueError):
        parse_credit_code("91350100I000100Y43")


def test_text_is_trimmed_and_half_width():
    assert clean_text("  张　三  ") == "张 三"
    assert clean_code(" ａｂ-１２ ") == "AB12"
    # Cells without whitespace come back as they are; any whitespace, ASCII or not, takes the long way.
    assert [clean_text(v) for v in ("张三", "", "a\tb\nc", "a\u3000b", "a\u200bb", "甲\x1f乙")] == [
        "张三",
        "",
        "a b c",
        "a b",
        "a\u200bb",
        "甲 乙",
    ]
    assert [clean_code(v) for v in ("33021x", "ab-12", "a\tb", "中文")] == ["33021X", "AB12", "AB", "中文"]


def test_a_nul_character_counts_as_a_space():
    # A broken CSV can carry NUL, which PostgreSQL cannot store.
    assert [clean_text(v) for v in ("王\x00五", "\x00幸福路\x00", "a\x00\x00b")] == ["王 五", "幸福路", "a b"]
    assert [clean_code(v) for v in ("HA\x00001", "ｈａ\x00１")] == ["HA001", "HA1"]


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",
        "2024/3/5",
        "2024.03.05",
        "2024年3月5日",
        "20240305",
        " ２０２４－３－５ ",
        45356,
        dt.datetime(2024, 3, 5, 8, 0),
        "2024-03-05 00:00:00",
    ],
)
def test_it_reads_dates_in_the_formats_people_type(value):
    assert parse_date(value) == dt.date(2024, 3, 5)


@pytest.mark.parametrize("value", ["03/05/2024", "5.3.2024", "2024-02-30", "明天", ""])
def test_it_rejects_ambiguous_or_impossible_dates(value):
    with pytest.raises(ValueError):
        parse_date(value)
