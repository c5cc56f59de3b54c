"""Delivering codes bound to a roster (residents, enterprises, units) through one interface.

A sender gets the people and the fresh codes, pairs them only in what it sends, and keeps nothing: the system
records that a roster was sent codes, never which code went to whom. Each sender states the assurance it gives.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minping.evaluations import printing
from minping.evaluations.codes import format_short
from minping.lib.messaging import TRANSPORTS, Message
from minping.notifications.actions import Outgoing, notify


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
    skipped: int = 0  # no address for the channel
    failed: int = 0  # refused by the gateway or mail server


class LetterSender:
    key, label = "letter", _("Printed letters")
    assurance = _("The code travels in a sealed envelope; whoever prints and posts the letters could read it.")

    def is_configured(self) -> bool:
        return True

    def deliver(self, *, campaign, vote_url, recipients, pairs, actor=None) -> Delivery:
        letters = [{"name": r.name, "address": r.address, "token": t, "short": s} for r, (t, s) in zip(recipients, pairs)]
        return Delivery(sent=len(letters), pdf=printing.letters_pdf(campaign_name=campaign.name, vote_url=vote_url, letters=letters))


class MessageSender:
    """Codes by text message or e-mail, through `notify`; its log names the roster's people and the campaign,
    never a code."""

    def __init__(self, transport, assurance):
        self.key, self.label, self.assurance = transport.key, transport.label, assurance
        self.transport = transport

    def is_configured(self) -> bool:
        return self.transport.is_configured()

    def deliver(self, *, campaign, vote_url, recipients, pairs, actor=None) -> Delivery:
        outgoing = [
            Outgoing(
                recipient.name,
                Message(self._address(recipient), f"【民评】{campaign.name}", self._text(recipient, campaign, vote_url, token, short)),
            )
            for recipient, (token, short) in zip(recipients, pairs)
        ]
        outcome = notify(channel=self.key, topic=f"测评邀请：{campaign.name}", outgoing=outgoing, actor=actor)
        return Delivery(sent=outcome.sent, skipped=outcome.skipped, failed=outcome.failed)

    def _address(self, recipient: Recipient) -> str:
        return recipient.phone if self.key == "sms" else recipient.email

    def _text(self, recipient, campaign, vote_url, token, short) -> str:
        if self.key == "sms":
            return f"【民评】{campaign.name}：请访问 {vote_url}#{token} 投票，或在 {vote_url} 输入测评码 {format_short(short)}。无记名。"
        return (
            f"{recipient.name}：\n\n邀请您参加“{campaign.name}”。本次测评无记名。\n"
            f"请打开 {vote_url}#{token} 投票，或访问 {vote_url} 输入测评码 {format_short(short)}。\n"
        )


SENDERS = {
    sender.key: sender
    for sender in (
        LetterSender(),
        MessageSender(
            TRANSPORTS["sms"], _("The mobile operator and the SMS gateway can read the code; anyone holding the phone can vote with it.")
        ),
        MessageSender(
            TRANSPORTS["email"], _("Mail servers on the way can read the code; anyone with access to the mailbox can vote with it.")
        ),
    )
}


def available_senders():
    return [sender for sender in SENDERS.values() if sender.is_configured()]


CHANNEL_ASSURANCE = {
    "qr": _("Whoever holds a slip can vote once. Slips are handed out in the meeting, not to named people."),
    "paper": _("The sheet is the ballot; two clerks key it independently and it counts only if they agree."),
    "online": _("One code per registered person, delivered to them; the organiser never learns which code went to whom."),
    "phone": _("An interviewer keys the answers of a resident reached by telephone: the interviewer hears them."),
}
