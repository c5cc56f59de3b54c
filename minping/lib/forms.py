"""A write as a page posts it: one form class per write, whose fields are what the write reads and whose `save`
hands them to one action.

A form parses (blank to default, a posted id to a row) and looks up what a field names; the action checks the
rest and refuses in Chinese. A refused field is a ValidationError naming it, which `lib/feedback.attempting`
says on the page with one status (400), the same on every page.
"""

from django import forms
from django.core.exceptions import ValidationError

from minping.lib.formdata import posted_id


class _SharedFields(dict):
    """A form's base fields that its instances share: a deep copy of them is a plain copy of the dict."""

    def __deepcopy__(self, memo):
        return dict(self)


def shared_fields(form_class: type[forms.Form]) -> type[forms.Form]:
    """Let the instances of `form_class` share its fields instead of each deep-copying them, as Django's forms
    do so that an instance may change its own (set a field's choices, a widget's attributes). For a form whose
    instances change none, on a busy path: the field page's visits spent an eighth of their time copying fields.
    """
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


def typed(**kwargs) -> forms.CharField:
    """A typed text, passed to the action as it came (the action checks and trims it)."""
    return forms.CharField(required=False, strip=False, **kwargs)


def posted(**kwargs) -> forms.CharField:
    """A chosen row's id or a choice's value, refused by the form's own lookup when it names nothing."""
    return forms.CharField(required=False, max_length=40, **kwargs)


def chosen(rows, value, field: str, refusal: str):
    """The row of `rows` (a queryset) a posted id names; a refusal naming `field` when it names none."""
    found = rows.filter(pk=posted_id(value or "") or 0).first()
    if found is None:
        raise ValidationError({field: refusal})
    return found


class StepForm(forms.Form):
    """One write: `action` is the function it feeds, `given` what the page adds (the record the write is about),
    `user` the person posting, who is the action's actor."""

    action = None
    defaults: dict = {}  # a blank field's value

    def __init__(self, data, files=None, *, user, **given):
        super().__init__(data, files)
        self.user, self.given = user, given

    def clean(self):
        data = super().clean()
        if self._errors:  # a field was refused: its value is missing, so nothing is looked up with it
            raise ValidationError("请检查标出的内容")
        for field, default in self.defaults.items():
            if data.get(field) in ("", None):
                data[field] = default
        return data

    def values(self) -> dict:
        """The cleaned values; a ValidationError naming each refused field."""
        if not self.is_valid():
            raise ValidationError({field: errors for field, errors in self.errors.as_data().items()})
        return self.cleaned_data

    def save(self, **more):
        return type(self).action(actor=self.user, **{**self.values(), **self.given, **more})
