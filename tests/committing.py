"""Helpers for the commitments tests: a published form of this month for 光明社区's secretary."""

from minping.commitments import actions, periods
from minping.evaluations import actions as evaluations
from minping.evaluations.actions import casting
from minping.results.actions import close_campaign


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def this_month():
    from django.utils import timezone

    return periods.month_of(timezone.localdate())


def item_data(month, **overrides):
    return {
        "category": "key_work",
        "content": "完成光明社区老旧小区路灯维修",
        "target": "修复路灯 20 盏",
        "deadline": periods.last_day(month),
        "project": "",
        "place": None,
        **overrides,
    }


def published_form(test, *, cadre=None, user=None, items=2, month=None, sequence=None):
    """A form of `cadre` (光明社区's secretary by default) with `items` items, submitted, approved and posted."""
    month = month or this_month()
    user = user or test.cadre_user
    form = actions.start_form(actor=user, owner=cadre or test.cadre_a, month=month, sequence=sequence)
    for n in range(items):
        actions.save_item(actor=user, form=form, data=item_data(month, content=f"承诺事项{n + 1}", target=f"目标{n + 1}"))
    actions.submit_form(actor=user, form=form)
    actions.approve_form(actor=test.office_a, form=form)
    actions.publish_forms(actor=test.office_a, forms=[form])
    form.refresh_from_db()
    return form


def rate(test, campaign, choices: list[dict]):
    """Issue codes, open, cast one ballot per {subject pk: option} in `choices`, close."""
    evaluations.install_builtin_instruments()
    pairs = evaluations.issue_codes(
        actor=test.organiser_a, campaign=campaign, group=campaign.groups.get(), count=len(choices), channel="qr"
    )
    campaign = evaluations.open_campaign(actor=test.organiser_a, campaign=campaign)
    for (token, _short), chosen in zip(pairs, choices, strict=True):
        answers = {
            "subjects": {str(pk): ({"kept": option} if option != "unknown_person" else {"unknown": True}) for pk, option in chosen.items()},
            "general": {},
        }
        casting.cast_ballot(campaign=campaign, code=token, answers=answers, channel="qr")
    return close_campaign(actor=test.organiser_a, campaign=campaign)
