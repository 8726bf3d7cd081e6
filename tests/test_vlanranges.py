"""VLAN ID ranges (trunkline.vlanranges): the one place they are parsed, merged, subtracted and written."""

from __future__ import annotations

import pytest

from trunkline.vlanranges import contains, format_ranges, merge_ranges, parse_ranges, subtract_ranges


def test_merge_sorts_and_joins_overlapping_and_adjacent_ranges() -> None:
    assert merge_ranges([(5, 9), (1, 3), (4, 4), (20, 20), (12, 15), (14, 18)]) == (
        (1, 9),
        (12, 18),
        (20, 20),
    )
    assert merge_ranges([]) == ()


def test_subtract_cuts_holes_and_ends() -> None:
    assert subtract_ranges([(1, 9)], [(4, 5)]) == ((1, 3), (6, 9))
    assert subtract_ranges([(1, 9), (20, 30)], [(0, 2), (9, 25)]) == ((3, 8), (26, 30))
    assert subtract_ranges([(40, 40)], [(2, 4094)]) == ()


def test_one_text_form_both_ways() -> None:
    assert format_ranges(((1, 9), (40, 40))) == "1-9,40"
    assert format_ranges((), "none") == "none"
    assert parse_ranges("100-199, 300,150-160") == ((100, 199), (300, 300))
    assert parse_ranges(format_ranges(((2, 4094),))) == ((2, 4094),)
    assert contains(((10, 20),), 15) and not contains(((10, 20),), 21)


@pytest.mark.parametrize("text", ["9-1", "a", "1-", "1,,2"])
def test_unreadable_text_names_the_part(text: str) -> None:
    with pytest.raises(ValueError, match="'"):
        parse_ranges(text)
