"""What a browser would post back from a page's form: each named field with the value the page shows."""

from html.parser import HTMLParser


class _Fields(HTMLParser):
    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self.textarea, self.select = action, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action", "") == self.action
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.fields):
            self.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            self.fields[self.textarea] = self.fields[self.textarea].removeprefix("\n")  # as a browser reads it
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data


def form_fields(html: str, action: str) -> dict:
    """The fields of the form posting to `action`, as the page fills them in."""
    parser = _Fields(action)
    parser.feed(html)
    return parser.fields
