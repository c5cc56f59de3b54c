"""What a console page tells the user after a form post: the outcome of an action, or why it was refused. One way
to refuse for every page: `attempt` runs one action, `attempting` a block of them; either says the refusal in
Chinese, and a page that renders after a refusal answers 400."""

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


def refused(request, exc: ValidationError | PermissionDenied) -> None:
    """Say why an action refused: its ValidationError's messages, or the reason a PermissionDenied gives."""
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc) or "您没有权限进行这项操作"]
    messages.error(request, "；".join(texts))


def form_refused(request, form) -> None:
    messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))


def attempt(request, action, *, done: str | None = None, **kwargs) -> bool:
    """Run an action as the user; say `done` (if given), or why it was refused."""
    try:
        action(actor=request.user, **kwargs)
    except ValidationError as exc:
        refused(request, exc)
        return False
    if done:
        messages.success(request, done)
    return True


@dataclass
class Outcome:
    refused: bool = False

    @property
    def status(self) -> int:
        """The status of a page rendered after the block: 400 when it was refused."""
        return 400 if self.refused else 200


@contextlib.contextmanager
def attempting(request, *also):
    """Run a block of parsing and actions: a ValidationError (and any exception class in `also`, such as
    PermissionDenied) ends the block, is said to the user, and marks the outcome refused."""
    outcome = Outcome()
    try:
        yield outcome
    except (ValidationError, *also) as exc:
        refused(request, exc)
        outcome.refused = True
