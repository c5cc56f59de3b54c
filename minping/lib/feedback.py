"""What a console page tells the user after a form post: the outcome of an action, or why it was refused. One way
to refuse for every page: `attempt` runs one action, `attempting` a block of them; either says the refusal in
Chinese, and a page that renders after a refusal answers 400."""

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """Why an action refused, in one line: its ValidationError's messages, or the reason a PermissionDenied gives."""
    texts = exc.messages if isinstance(exc, ValidationError) else [str(exc) or "您没有权限进行这项操作"]
    return "；".join(texts)


def form_refusal(form) -> ValidationError:
    """An invalid form's errors as the ValidationError an action would raise, said the same way."""
    return ValidationError({field: errors for field, errors in form.errors.items()})


def refused(request, exc: ValidationError | PermissionDenied) -> None:
    messages.error(request, refusal_text(exc))


def form_refused(request, form) -> None:
    refused(request, form_refusal(form))


def attempt(request, action, *, done: str | None = None, **kwargs) -> bool:
    """Run an action as the user; say `done` (if given), or why it was refused."""
    with attempting(request) as outcome:
        action(actor=request.user, **kwargs)
        if done:
            messages.success(request, done)
    return not outcome.refused


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
