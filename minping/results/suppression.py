"""Small-group protection. A cell (a subject's ballots from one evaluator group) with fewer than MIN_CELL valid
ballots is shown as "<5", and so is whatever would let it be worked out: if a subject's total is shown, a lone
hidden cell would be the total minus the cells shown, so a second cell (the smallest shown one) is hidden with
it; a subject whose every cell is hidden has its total hidden too."""

MIN_CELL = 5
MIN_TEXT_CELL = 10
HIDDEN = "<5"


def hidden_cells(cells: dict, minimum: int = MIN_CELL) -> tuple[set, bool]:
    """For {column: count} of one subject, the columns to hide and whether the subject's total must be hidden.

    Empty cells (0) are not hidden: nobody can be singled out among no one, and a zero says so plainly."""
    small = {column for column, n in cells.items() if 0 < n < minimum}
    if not small:
        return set(), False
    shown = sorted((n, str(column), column) for column, n in cells.items() if column not in small and n > 0)
    if len(small) == 1 and shown:
        small.add(shown[0][2])  # complementary: the total minus the shown cells must not give the hidden one
        shown = shown[1:]
    return small, not shown


def shown(n: int, minimum: int = MIN_CELL):
    """A count as it may be shown on its own."""
    return HIDDEN if 0 < n < minimum else n
