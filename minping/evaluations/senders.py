"""Delivering codes bound to a roster (residents, enterprises, units) through one interface.

A sender gets the people and the fresh codes, pairs them only in what it sends, and keeps nothing: the system
records that a roster was sent codes, never which code went to whom. Each sender states the assurance it gives.
"""

import json
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext_lazy as _

from minping.evaluations import printing
from minping.evaluations.codes import format_short


@dataclass
class Recipient:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class Delivery:
    sent: int
    pdf: bytes | None = None
    skipped: int = 0


class LetterSender:
    key, label = "letter", _("Printed letters")
    assurance = _("The code travels in a sealed envelope; whoever prints and posts the letters could read it.")

    def is_configured(self) -> bool:
        return True

    def deliver(self, *, campaign, vote_url, recipients, pairs) -> Delivery:
        letters = [{"name": r.name, "address": r.address, "token": t, "short": s} for r, (t, s) in zip(recipients, pairs)]
        return Delivery(sent=len(letters), pdf=printing.letters_pdf(campaign_name=campaign.name, vote_url=vote_url, letters=letters))


class SmsSender:
    """Posts {"phone", "text"} as JSON to the SMS gateway at MINPING_SMS_GATEWAY_URL."""

    key, label = "sms", _("Text message")
    assurance = _("The mobile operator and the SMS gateway can read the code; anyone holding the phone can vote with it.")

    def is_configured(self) -> bool:
        return bool(settings.SMS_GATEWAY_URL)

    def deliver(self, *, campaign, vote_url, recipients, pairs) -> Delivery:
        sent = skipped = 0
        for recipient, (token, short) in zip(recipients, pairs):
            if not recipient.phone:
                skipped += 1
                continue
            text = f"【民评】{campaign.name}：请访问 {vote_url}#{token} 投票，或在 {vote_url} 输入测评码 {format_short(short)}。无记名。"
            body = json.dumps({"phone": recipient.phone, "text": text}, ensure_ascii=False).encode()
            request = urllib.request.Request(settings.SMS_GATEWAY_URL, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (an operator-set URL)
                response.read()
            sent += 1
        return Delivery(sent=sent, skipped=skipped)


class EmailSender:
    key, label = "email", _("E-mail")
    assurance = _("Mail servers on the way can read the code; anyone with access to the mailbox can vote with it.")

    def is_configured(self) -> bool:
        return bool(settings.EMAIL_HOST)

    def deliver(self, *, campaign, vote_url, recipients, pairs) -> Delivery:
        sent = skipped = 0
        for recipient, (token, short) in zip(recipients, pairs):
            if not recipient.email:
                skipped += 1
                continue
            body = (f"{recipient.name}：\n\n邀请您参加“{campaign.name}”。本次测评无记名。\n"
                    f"请打开 {vote_url}#{token} 投票，或访问 {vote_url} 输入测评码 {format_short(short)}。\n")  # fmt: skip
            send_mail(f"【民评】{campaign.name}", body, None, [recipient.email])
            sent += 1
        return Delivery(sent=sent, skipped=skipped)


SENDERS = {sender.key: sender for sender in (LetterSender(), SmsSender(), EmailSender())}


def available_senders():
    return [sender for sender in SENDERS.values() if sender.is_configured()]


CHANNEL_ASSURANCE = {
    "qr": _("Whoever holds a slip can vote once. Slips are handed out in the meeting, not to named people."),
    "paper": _("The sheet is the ballot; two clerks key it independently and it counts only if they agree."),
    "online": _("One code per registered person, delivered to them; the organiser never learns which code went to whom."),
    "phone": _("An interviewer keys the answers of a resident reached by telephone: the interviewer hears them."),
}
