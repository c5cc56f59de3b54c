"""`notify`: the one way any module sends text messages or e-mail, each logged (never with its text)."""

import logging
from dataclasses import dataclass

from minping.lib.messaging import TRANSPORTS, Message
from minping.notifications.models import SentMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A message for a person as the calling module knows them: a name for the log, and the message."""

    recipient: str
    message: Message


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0  # no address for the channel
    failed: int = 0


def notify(*, channel: str, topic: str, outgoing: list[Outgoing], actor=None) -> Outcome:
    """Send each message on `channel` ("sms" or "email"); a failure of one does not stop the others. Logs one
    row per message with its topic and status, never its text."""
    transport = TRANSPORTS[channel]
    if not transport.is_configured():
        raise ValueError(f"channel {channel!r} is not configured")
    outcome, rows = Outcome(), []
    for item in outgoing:
        status, error = SentMessage.Status.SENT, ""
        if not item.message.address:
            status = SentMessage.Status.SKIPPED
        else:
            try:
                transport.send(item.message)
            except Exception as exc:  # a gateway or mail server refusing one message
                log.warning("sending a %s message failed: %s", channel, exc)
                status, error = SentMessage.Status.FAILED, str(exc)[:200]
        setattr(outcome, status, getattr(outcome, status) + 1)
        rows.append(
            SentMessage(
                channel=channel,
                recipient=item.recipient[:200],
                address=item.message.address[:200],
                topic=topic[:200],
                status=status,
                error=error,
                sent_by=actor,
            )
        )
    SentMessage.objects.bulk_create(rows)
    return outcome
