def storable(text: str) -> bool:
    """Whether the database can store the text: no NUL character (PostgreSQL refuses it in text and JSON) and no
    unpaired surrogate (which no encoding can write). Both come only from crafted requests or broken files."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def checked_text(value, field: str, limit: int, what: str, *, required: bool = True) -> str:
    """A form's or request's text, trimmed; ValidationError on `field`, in Chinese naming `what`, when it is
    missing (and `required`), longer than `limit` or holds what the database cannot store."""
    from django.core.exceptions import ValidationError

    text = str(value or "").strip()
    if not storable(text):
        raise ValidationError({field: f"{what}含有无法保存的字符"})
    if required and not text:
        raise ValidationError({field: f"请填写{what}"})
    if len(text) > limit:
        raise ValidationError({field: f"{what}不能超过 {limit} 个字"})
    return text


def checked_percent(value, field: str = "percent") -> int:
    """A percentage typed into a form: an integer from 0 to 100, else ValidationError in Chinese."""
    from django.core.exceptions import ValidationError

    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if not 0 <= number <= 100:
        raise ValidationError({field: "进度应为 0 到 100 的整数"})
    return number


def checked_number(value, field: str, what: str, low: float, high: float) -> float:
    """A number typed into a form or sent in a request, from `low` to `high`; ValidationError on `field`, in
    Chinese naming `what`, for anything else (text, NaN, infinity, out of range)."""
    from django.core.exceptions import ValidationError

    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValidationError({field: f"{what}应为数字"}) from None
    if not low <= number <= high:  # also false for NaN
        raise ValidationError({field: f"{what}应在 {low:g} 到 {high:g} 之间"})
    return number
