"""The organiser's campaign pages: adapters over the actions in actions.py."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from minping.accounts.scoping import console_required, scope
from minping.evaluations import actions, lifecycle, printing
from minping.evaluations import subjects as subject_kinds
from minping.evaluations.access import (
    campaign_for_manager,
    campaign_for_turnout,
    concerning,
)
from minping.evaluations.actions import paper
from minping.evaluations.actions.casting import CastError
from minping.evaluations.forms import errors_by_field, payload_from_post
from minping.evaluations.instruments import favourable_options
from minping.evaluations.models import Campaign, EvaluatorGroup, Instrument
from minping.evaluations.panels import CAMPAIGN_FACTS
from minping.evaluations.senders import CHANNEL_ASSURANCE, SENDERS, available_senders
from minping.evaluations.turnout import turnout
from minping.lib.feedback import attempt, form_refused, refused
from minping.lib.formdata import posted_id
from minping.org.forms import RegionChoiceField
from minping.org.models import Post, Region

PDF = "application/pdf"


def instruments_for(user):
    own = scope(Instrument.objects.filter(region__isnull=False), user)
    return Instrument.objects.filter(Q(region__isnull=True) | Q(pk__in=own.values("pk")))


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    instrument = forms.ModelChoiceField(label=gettext_lazy("Instrument"), queryset=Instrument.objects.none())
    region = RegionChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.none())
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"), choices=Campaign.Channel.choices, widget=forms.CheckboxSelectMultiple, initial=["qr", "paper"]
    )
    quorum = forms.IntegerField(label=gettext_lazy("Quorum (valid ballots per subject)"), min_value=1, max_value=100000, initial=50)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Voting opens (optional)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Voting closes (optional)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments_for(user)
        self.fields["region"].queryset = scope(Region.objects.exclude(level="grid"), user).order_by("path")


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EvaluatorGroup.Kind.choices)
    weight = forms.DecimalField(label=gettext_lazy("Weight"), min_value=0, max_value=1, initial=1)
    quorum = forms.IntegerField(label=gettext_lazy("Quorum"), min_value=1, required=False)


class IssueForm(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("Evaluator group"), queryset=EvaluatorGroup.objects.none())
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=[])
    count = forms.IntegerField(label=gettext_lazy("How many"), min_value=1, max_value=actions.MAX_BATCH, initial=60)

    def __init__(self, campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        groups = campaign.groups.all()
        self.fields["group"].queryset = groups
        if len(groups) == 1:  # the one group is the choice, not a blank line
            self.fields["group"].initial, self.fields["group"].empty_label = groups[0].pk, None
        self.fields["channel"].choices = [(c, label) for c, label in Campaign.Channel.choices if c in campaign.channels and c != "online"]


def _campaigns(user):
    """Campaigns the user manages, with their used codes (ballots cast so far)."""
    used = Count("codes", filter=Q(codes__status="used"))
    return scope(Campaign.objects.select_related("region"), user).annotate(n_cast=used)[:100]


@console_required
def campaign_list(request):
    form = CampaignForm(request.user, initial={"region": request.user.region_id})
    context = {"campaigns": _campaigns(request.user), "form": form, "concerning": concerning(request.user).select_related("region")[:100]}
    return render(request, "evaluations/campaign_list.html", context)


@console_required
@require_POST
def campaign_create(request):
    form = CampaignForm(request.user, request.POST)
    if not form.is_valid():
        context = {"campaigns": _campaigns(request.user), "form": form, "concerning": concerning(request.user)[:100]}
        return render(request, "evaluations/campaign_list.html", context, status=400)
    try:
        campaign = actions.create_campaign(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("evaluations:campaign-list")
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


def _candidates(campaign: Campaign) -> dict:
    """Cadres, units and regions the console offers to add, those already in the campaign left out."""

    def offered(key: str):
        taken = campaign.subjects.filter(kind=key).values_list("ref", flat=True)
        return subject_kinds.get_kind(key).candidates(campaign.region).exclude(pk__in=taken)

    cadres = offered("cadre").select_related("region").order_by("region__path", "name")[:300]
    posts = {}
    for post in Post.objects.current().filter(cadre__in=cadres).select_related("unit", "region"):
        posts.setdefault(post.cadre_id, []).append(post)
    for cadre in cadres:
        cadre.current_posts = posts.get(cadre.pk, [])
    return {"cadres": cadres, "units": offered("unit")[:200], "regions": offered("region")[:200]}


@console_required
def campaign_detail(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    context = {
        "campaign": campaign,
        "subjects": campaign.subjects.all(),
        "groups": campaign.groups.all(),
        "batches": campaign.batches.select_related("group").annotate(n_used=Count("codes", filter=Q(codes__status="used"))),
        "group_form": GroupForm(),
        "window_form": WindowForm(initial={"starts_at": campaign.starts_at, "ends_at": campaign.ends_at}),
        "issue_form": IssueForm(campaign),
        "turnout": turnout(campaign),
        "definition": campaign.definition,
        "assurance": [(Campaign.Channel(c).label, CHANNEL_ASSURANCE[c]) for c in campaign.channels],
        "facts": [fact(request, campaign) for fact in CAMPAIGN_FACTS],
    }
    if lifecycle.allows(campaign, "open"):
        missing = [
            what for what, rows in ((_("subjects"), campaign.subjects), (_("evaluator groups"), campaign.groups)) if not rows.exists()
        ]
        context["missing"] = "、".join(str(m) for m in missing)
        if not missing:  # the warning about codes only where voting can open at all
            context["short_of_quorum"] = [g for g in context["turnout"]["groups"] if g["issued"] - g["voided"] < g["quorum"]]
    if lifecycle.allows(campaign, "edit"):
        context.update(_candidates(campaign))
    return render(request, "evaluations/campaign_detail.html", context)


@console_required
@require_POST
def subjects_add(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    try:
        chosen = actions.subject_records(campaign, {kind: _ids(request.POST, kind) for kind in ("cadre", "unit", "region")})
        added = actions.add_subjects(actor=request.user, campaign=campaign, subjects=chosen)
        messages.success(request, _("%(n)s subjects added.") % {"n": len(added)})
    except ValidationError as exc:
        refused(request, exc)
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


def _ids(data, name: str) -> list[int]:
    """The ids ticked in a list of checkboxes; anything that is not one (a tampered form) is ignored."""
    return [pk for pk in map(posted_id, data.getlist(name)) if pk is not None]


@console_required
@require_POST
def subject_remove(request, pk, subject_pk):
    campaign = campaign_for_manager(request.user, pk)
    subject = campaign.subjects.filter(pk=subject_pk).first()
    if subject:
        attempt(request, actions.remove_subject, subject=subject)
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


@console_required
@require_POST
def group_add(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    form = GroupForm(request.POST)
    if form.is_valid():
        attempt(request, actions.add_group, campaign=campaign, **form.cleaned_data)
    else:
        messages.error(request, _("Please check the form."))
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


@console_required
@require_POST
def group_weight(request, pk, group_pk):
    campaign = campaign_for_manager(request.user, pk)
    group = get_object_or_404(campaign.groups, pk=group_pk)
    attempt(request, actions.set_group_weight, group=group, weight=request.POST.get("weight", ""))
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


class WindowForm(forms.Form):
    starts_at = CampaignForm.base_fields["starts_at"]
    ends_at = CampaignForm.base_fields["ends_at"]


@console_required
@require_POST
def window(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    form = WindowForm(request.POST)
    if form.is_valid():
        window = form.cleaned_data
        if lifecycle.allows(campaign, "vote"):  # the form offers only the end once voting is open
            window["starts_at"] = campaign.starts_at
        attempt(request, actions.set_window, done=_("Voting window saved."), campaign=campaign, **window)
    else:
        form_refused(request, form)
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


@console_required
@require_POST
def campaign_transition(request, pk, transition):
    campaign = campaign_for_manager(request.user, pk)
    if transition != "open":  # closing, publishing and archiving are results' steps (results:transition)
        return HttpResponse(status=404)
    attempt(request, actions.open_campaign, campaign=campaign)
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


def vote_url(request) -> str:
    return request.build_absolute_uri(reverse("vote:start"))


@console_required
@require_POST
def codes_issue(request, pk):
    """Create codes and hand them over as a PDF at once: slips for QR and phone, ballots for paper."""
    campaign = campaign_for_manager(request.user, pk)
    form = IssueForm(campaign, request.POST)
    if not form.is_valid():
        form_refused(request, form)
        return redirect("evaluations:campaign-detail", pk=campaign.pk)
    group, channel = form.cleaned_data["group"], form.cleaned_data["channel"]
    try:
        pairs = actions.issue_codes(actor=request.user, campaign=campaign, group=group, count=form.cleaned_data["count"], channel=channel)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("evaluations:campaign-detail", pk=campaign.pk)
    if channel == "paper":
        pdf = printing.paper_ballots_pdf(campaign=campaign, subjects=list(campaign.subjects.all()), pairs=pairs)
    else:
        pdf = printing.slips_pdf(campaign_name=campaign.name, group_name=group.name, vote_url=vote_url(request), pairs=pairs)
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="codes-{campaign.pk}-{group.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@console_required
@require_POST
def codes_void(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    batch = campaign.batches.filter(pk=request.POST.get("batch") or 0).first()
    codes = [c for c in request.POST.get("codes", "").replace(",", " ").split() if c][:5000]
    try:
        voided = actions.void_codes(actor=request.user, campaign=campaign, short_codes=codes, batch=batch)
        messages.success(request, _("%(n)s codes voided.") % {"n": voided})
    except ValidationError as exc:
        refused(request, exc)
    return redirect("evaluations:campaign-detail", pk=campaign.pk)


@login_required
def campaign_turnout(request, pk):
    campaign = campaign_for_turnout(request.user, pk)
    template = "evaluations/_turnout.html" if request.headers.get("HX-Request") else "evaluations/turnout.html"
    return render(request, template, {"campaign": campaign, "turnout": turnout(campaign)})


@login_required
def campaign_projector(request, pk):
    """Live turnout for the room; for the organisers, it turns into the announcement of results the moment
    voting closes (htmx follows HX-Redirect; the page without script reloads itself into the redirect)."""
    campaign = campaign_for_turnout(request.user, pk)
    if lifecycle.allows(campaign, "read_results") and request.user.can_use_console:
        results = reverse("results:projector", args=[campaign.pk])
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = results
            return response
        return redirect(results)
    template = "evaluations/_projector.html" if request.headers.get("HX-Request") else "evaluations/projector.html"
    return render(request, template, {"campaign": campaign, "turnout": turnout(campaign)})


@console_required
@require_http_methods(["GET", "POST"])
def paper_entry(request, pk):
    """A clerk keys one paper ballot; it counts when a second clerk's keying agrees."""
    campaign = campaign_for_manager(request.user, pk)
    subjects = list(campaign.subjects.all())
    context = {
        "campaign": campaign,
        "subjects": subjects,
        "definition": campaign.definition,
        "reasons": paper.REASONS,
        "data": None,
        "errors": {},
        "code": "",
    }
    status = 200
    if request.method == "POST":
        code = request.POST.get("code", "")[:64]
        payload = payload_from_post(campaign.definition, subjects, request.POST)
        for subject in subjects:
            if request.POST.get(f"s{subject.pk}__void"):
                payload["subjects"][str(subject.pk)] = {"void": request.POST.get(f"s{subject.pk}__void")}
        try:
            outcome = paper.enter_paper_ballot(
                actor=request.user, campaign=campaign, short_code=code, answers=payload, void_reason=request.POST.get("void_reason", "")
            )
        except CastError as exc:
            context.update(data=request.POST, errors=errors_by_field(exc.problems), code=code, error=exc.message)
            status = exc.status
        else:
            messages.success(
                request,
                {
                    "waiting": _("Saved. The sheet counts once a second clerk has keyed it the same way."),
                    "mismatch": _("This keying differs from another clerk's. Check the sheet; a matching keying resolves it."),
                    "counted": _("Both keyings agree: the ballot is counted."),
                }[outcome.state],
            )
            return redirect("evaluations:paper-entry", pk=campaign.pk)
    context["pending"] = paper.pending(campaign)
    return render(request, "evaluations/paper_entry.html", context, status=status)


class LettersForm(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("Evaluator group"), queryset=EvaluatorGroup.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Roster"), choices=list(actions.ROSTERS.items()))
    region = RegionChoiceField(label=gettext_lazy("Region"), queryset=Region.objects.none())
    sender = forms.ChoiceField(label=gettext_lazy("Send by"), choices=[])

    def __init__(self, campaign, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = campaign.groups.all()
        self.fields["region"].queryset = Region.objects.within(campaign.region).order_by("path")
        self.fields["sender"].choices = [(s.key, s.label) for s in available_senders()]


@console_required
@require_http_methods(["GET", "POST"])
def letters(request, pk):
    campaign = campaign_for_manager(request.user, pk)
    form = LettersForm(campaign, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipients, pairs = actions.issue_roster_codes(
                actor=request.user, campaign=campaign, group=data["group"], kind=data["kind"], region=data["region"]
            )
        except ValidationError as exc:
            refused(request, exc)
            return redirect("evaluations:letters", pk=campaign.pk)
        delivery = SENDERS[data["sender"]].deliver(
            campaign=campaign, vote_url=vote_url(request), recipients=recipients, pairs=pairs, actor=request.user
        )
        if delivery.pdf is not None:
            response = HttpResponse(delivery.pdf, content_type=PDF)
            response["Content-Disposition"] = f'attachment; filename="letters-{campaign.pk}.pdf"'
            response["Cache-Control"] = "no-store"
            return response
        messages.success(
            request, _("%(sent)s sent, %(skipped)s without an address.") % {"sent": delivery.sent, "skipped": delivery.skipped}
        )
        if delivery.failed:
            messages.error(
                request,
                _("%(failed)s could not be sent: the gateway or mail server refused them (see the message log).")
                % {"failed": delivery.failed},
            )
        return redirect("evaluations:campaign-detail", pk=campaign.pk)
    senders = [(s.label, s.assurance) for s in available_senders()]
    return render(
        request,
        "evaluations/letters.html",
        {"campaign": campaign, "form": form, "senders": senders},
        status=400 if request.method == "POST" else 200,
    )


@console_required
def instrument_list(request):
    return render(request, "evaluations/instrument_list.html", {"instruments": instruments_for(request.user).select_related("region")})


@console_required
@require_POST
def instrument_copy(request, pk):
    instrument = get_object_or_404(instruments_for(request.user), pk=pk)
    region = request.user.region or Region.objects.roots().first()
    try:
        copied = actions.copy_instrument(actor=request.user, instrument=instrument, region=region)
    except ValidationError as exc:
        refused(request, exc)
        return redirect("evaluations:instrument-list")
    return redirect("evaluations:instrument-edit", pk=copied.pk)


NEW_QUESTION_TYPES = [
    ("scale", gettext_lazy("Satisfaction")),
    ("grade", gettext_lazy("Grade")),
    ("yesno", gettext_lazy("Yes / no")),
    ("single", gettext_lazy("Single choice")),
    ("multi", gettext_lazy("Multiple choice")),
    ("score", gettext_lazy("Score 0–100")),
    ("text", gettext_lazy("Free text")),
]


@console_required
@require_http_methods(["GET", "POST"])
def instrument_edit(request, pk):
    """Questions of one of the region's instruments: reword, make optional, remove, add. Saving an instrument
    that a campaign has opened with creates a new version; the campaign keeps the old one."""
    instrument = get_object_or_404(instruments_for(request.user).filter(region__isnull=False), pk=pk)
    version = instrument.latest()
    if request.method == "POST":
        try:
            actions.edit_instrument(
                actor=request.user,
                instrument=instrument,
                definition=instrument_from_post(version.definition, request.POST),
                name=request.POST.get("instrument_name"),
            )
            messages.success(request, _("Instrument saved."))
            return redirect("evaluations:instrument-edit", pk=instrument.pk)
        except ValidationError as exc:
            refused(request, exc)
    parts = [(part, [_for_editing(q) for q in version.definition.get(part, [])]) for part in ("subject_questions", "general_questions")]
    return render(
        request,
        "evaluations/instrument_edit.html",
        {"instrument": instrument, "version": version, "parts": parts, "types": NEW_QUESTION_TYPES},
    )


def instrument_from_post(definition: dict, data) -> dict:
    """The edited definition: existing questions kept in order unless removed, their options reworded, rescored,
    removed or added to; new questions appended (choice questions with their options, one per line)."""
    from minping.evaluations.instruments import CHOICE_TYPES, q

    edited = {}
    for part in ("subject_questions", "general_questions"):
        questions = []
        for question in definition.get(part, []):
            name = f"{part}__{question['key']}"
            if data.get(f"{name}__remove"):
                continue
            question = {
                **question,
                "label": data.get(f"{name}__label", question["label"]).strip()[:200],
                "required": bool(data.get(f"{name}__required")),
            }
            if "options" in question:
                question["options"] = _options_from_post(question, name, data)
                if question["type"] == "multi":
                    question["max_choices"] = _number(
                        data.get(f"{name}__max_choices"), question.get("max_choices"), question["label"], integer=True
                    ) or len(question["options"])
            questions.append(question)
        label, kind = data.get(f"{part}__new_label", "").strip()[:200], data.get(f"{part}__new_type", "")
        if label and kind in dict(NEW_QUESTION_TYPES):
            taken = {question["key"] for question in questions}
            key = next(f"q{n}" for n in range(1, 100) if f"q{n}" not in taken)
            question = q(key, label, kind, **({"min": 0, "max": 100} if kind == "score" else {}))
            if kind in {"single", "multi"}:
                lines = [line.strip()[:60] for line in data.get(f"{part}__new_options", "").splitlines() if line.strip()]
                question["options"] = [{"key": f"o{n}", "label": text, "score": None} for n, text in enumerate(lines, 1)]
                if kind == "multi":
                    question["max_choices"] = len(lines)
            elif kind in CHOICE_TYPES and "options" not in question:
                question["options"] = []
            questions.append(question)
        edited[part] = questions
    return edited


def _for_editing(question: dict) -> dict:
    """A copy of a question for the editor, with the keys of the options that count as satisfied."""
    favourable = favourable_options(question) if question["type"] == "scale" else set()
    return {**question, "favourable_keys": favourable}


def _number(text, default, label: str, *, integer: bool = False):
    """A number typed into the editor; blank keeps `default`."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise ValidationError(f"“{label}”：{text} 不是数字") from None
    return int(value) if not integer and value == int(value) else value


def _options_from_post(question: dict, name: str, data) -> list[dict]:
    options = []
    for option in question["options"]:
        field = f"{name}__opt__{option['key']}"
        if data.get(f"{field}__remove"):
            continue
        label = data.get(f"{field}__label", option["label"]).strip()[:60] or option["label"]
        score_text = data.get(f"{field}__score")
        score = option.get("score") if score_text is None else _number(score_text, None, f"{question['label']}·{label}")
        edited = {**option, "label": label, "score": score}
        if question["type"] == "scale" and f"{field}__label" in data:
            edited["favourable"] = bool(data.get(f"{field}__favourable"))
        options.append(edited)
    new_label = data.get(f"{name}__newopt_label", "").strip()[:60]
    if new_label:
        taken = {option["key"] for option in options} | {option["key"] for option in question["options"]}
        key = next(f"o{n}" for n in range(1, 100) if f"o{n}" not in taken)
        options.append({"key": key, "label": new_label, "score": _number(data.get(f"{name}__newopt_score"), None, new_label)})
    return options
