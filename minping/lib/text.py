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
