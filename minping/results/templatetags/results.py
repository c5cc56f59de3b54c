from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A fraction as a percentage with two decimals; "—" when there is none."""
    if value is None or value == "":
        return "—"
    return f"{value * 100:.2f}%"


@register.filter
def points(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{value:.2f}"
