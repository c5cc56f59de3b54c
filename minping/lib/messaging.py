"""Transports for messages to people: text message through the operator's gateway, and e-mail. They carry a
text to an address and keep nothing; `notifications.actions.notify` is the one call modules use, and it logs
what was sent to whom."""

import json
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Message:
    """One message to one person: the address its channel uses (a phone or an e-mail address), a subject
    (e-mail only) and the text."""

    address: str
    subject: str
    text: str


class SmsTransport:
    """Posts {"phone", "text"} as JSON to the SMS gateway at MINPING_SMS_GATEWAY_URL."""

    key, label = "sms", _("Text message")

    def is_configured(self) -> bool:
        return bool(settings.SMS_GATEWAY_URL)

    def send(self, message: Message) -> None:
        body = json.dumps({"phone": message.address, "text": message.text}, ensure_ascii=False).encode()
        request = urllib.request.Request(settings.SMS_GATEWAY_URL, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (an operator-set URL)
            response.read()


class EmailTransport:
    key, label = "email", _("E-mail")

    def is_configured(self) -> bool:
        return bool(settings.EMAIL_HOST)

    def send(self, message: Message) -> None:
        send_mail(message.subject, message.text, None, [message.address])


TRANSPORTS = {transport.key: transport for transport in (SmsTransport(), EmailTransport())}
