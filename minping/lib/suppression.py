"""Small-group protection. A cell (a subject's ballots from one evaluator group) with fewer than MIN_CELL valid
ballots is shown as "<5", with everything in it. Its subject's total is then withheld as well (complementary
suppression of the margin): with the total shown, the hidden cells' sum would be known, and a hidden cell could
be pinned down (a lone one exactly; two hidden cells of 1 next to a shown 5 under a total of 7 likewise). The
combined figure uses the shown cells only, so it cannot be solved for a hidden one either."""

MIN_CELL = 5
MIN_TEXT_CELL = 10
HIDDEN = "<5"
WITHHELD = "—"  # a total withheld because one of its cells is hidden


def hidden_cells(cells: dict, minimum: int = MIN_CELL) -> tuple[set, bool]:
    """For {column: count} of one subject, the columns to hide and whether the subject's total must be hidden.

    Empty cells (0) are not hidden: nobody can be singled out among no one, and a zero says so plainly."""
    small = {column for column, n in cells.items() if 0 < n < minimum}
    return small, bool(small)


def shown(n: int, minimum: int = MIN_CELL):
    """A count as it may be shown on its own."""
    return HIDDEN if 0 < n < minimum else n
