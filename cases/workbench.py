"""The researchers' workbench: keeping an entry true after it was logged.

Each part of a person (a spelling, an occupation, an affiliation, an ECHR application, the
sources of any fact) added or removed, an event corrected, a case's own details corrected, two
entries about one person merged, and the history read and restored: each through
`services.change_entry`, so at once on a draft and one reviewed change on a published entry.
Access goes through the workspace's single helpers, `_detainee_for()` and `_case_for()`.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import addresses, services
from .forms import (
    AffiliationForm,
    CaseCorrectionForm,
    EchrLinkForm,
    EventForm,
    NameForm,
    OccupationForm,
    SourcesForm,
)
from .models import (
    Case,
    Detainee,
    PendingChange,
    Precision,
    Source,
    State,
    format_partial_date,
)
from .workspace import (
    _case_for,
    _cases_for,
    _detainee_for,
    _save_change,
    _saved_message,
    moderator_required,
    staff_required,
)


@login_required
@staff_required
def correct_event(request, pk, event_pk):
    """Correct a recorded event (its date, court, place of detention, term…), with a source:
    the event form, filled with what is recorded; only what changed is proposed."""
    detainee = _detainee_for(request, pk, action="change")
    event = get_object_or_404(detainee.events, pk=event_pk)
    recorded = services.event_data({name: getattr(event, name) for name in services.EVENT_FIELDS})
    form = EventForm(
        request.POST or None, cases=_cases_for(request.user),
        initial={**recorded, "version": detainee.version},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        proposed = services.event_data(form.cleaned_data)
        changed = {
            name: value
            for name, value in proposed.items()
            if name in services.EVENT_FIELDS and value != recorded[name]
            and not (value in (None, "") and recorded[name] in (None, ""))
        }  # fmt: skip
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:staff-detainee", pk=pk)
        item = {"event": event.pk, **changed, "source_urls": proposed["source_urls"]}
        summary = _("Correction of %(event)s") % {"event": services.describe_fact(event, "event")}
        response = _save_change(request, form, detainee, {"correct_events": [item]}, summary)
        if response is not None:
            return response
    return render(
        request,
        "cases/staff/entry_form.html",
        {"detainee": detainee, "entry": detainee, "form": form, "title": _("Correct an event")},
    )


PART_FORMS = {
    "names": (NameForm, gettext_lazy("Add a spelling of the name")),
    "occupations": (OccupationForm, gettext_lazy("Add an occupation")),
    "affiliations": (AffiliationForm, gettext_lazy("Add an affiliation")),
    "sources": (SourcesForm, gettext_lazy("Add sources to a fact")),
    "echr": (EchrLinkForm, gettext_lazy("Add an ECHR application")),
}


@login_required
@staff_required
def add_part(request, pk, part):
    detainee = _detainee_for(request, pk, action="change")
    form_class, title = PART_FORMS[part]
    initial = {"version": detainee.version, "id": _int(request.GET.get("id"))}
    form = form_class(request.POST or None, detainee=detainee, initial=initial)
    if part == "sources":
        query = request.POST or request.GET
        fact = query.get("fact") or "detainee"  # with no fact named: the entry's own sources
        form.initial["fact"] = fact
        row = services.fact_row(detainee, fact, _int(query.get("id")))
        if row is None:
            raise Http404
        title = f"{title} ({services.describe_fact(row, fact)})"
    if request.method == "POST" and form.is_valid():
        data, summary = form.change()
        response = _save_change(request, form, detainee, data, summary)
        if response is not None:
            return response
    return render(
        request,
        "cases/staff/entry_form.html",
        {"detainee": detainee, "entry": detainee, "form": form, "title": title},
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@login_required
@staff_required
def remove_part(request, pk):
    """Take a part off an entry (a spelling, an occupation, an event recorded in error, a source
    of a fact…): at once on a draft, as a proposed change on a published entry."""
    detainee = _detainee_for(request, pk, action="change")
    post = request.POST
    item = services.removal(
        detainee, post.get("part", ""), id=_int(post.get("id")), fact=post.get("fact", ""),
        source=_int(post.get("source")),
    )  # fmt: skip
    if item is None:
        messages.error(request, _("That is no longer recorded: nothing was changed."))
        return redirect("cases:staff-detainee", pk=pk)
    line = services.describe_part(detainee, post["part"], item)
    summary = f"{line.what}: {_('removed')} {line.text}"
    try:
        pending = services.change_entry(
            detainee=detainee, author=request.user, data={post["part"]: [item]},
            summary=summary, version=_int(post.get("version")),
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _saved_message(request, pending)
    return redirect("cases:staff-detainee", pk=pk)


@require_POST
@login_required
@staff_required
def hide_source(request, pk, source_pk):
    """Mark a source the entry cites confidential, at once: hiding protects, so it never waits
    (making it public again is a moderator's decision, in the admin)."""
    detainee = _detainee_for(request, pk, action="change")
    source = services.cited_source(detainee, source_pk)
    if source is None:
        raise Http404
    services.hide_source(source=source, user=request.user)
    messages.success(request, _("The source is confidential now: no public page shows it."))
    return redirect("cases:staff-detainee", pk=pk)


@login_required
@staff_required
def staff_case(request, pk):
    """A case as staff see it: its details and sources, its defendants the user may see, the
    changes proposed to it, and the way to correct it."""
    case = _case_for(request, pk)
    user = request.user
    internal = case.internal_visible_to(user)
    sources = Source.objects.all() if internal else Source.objects.public()
    changes = case.pending_changes.exclude(state=PendingChange.State.APPLIED).select_related(
        "author"
    )
    if not internal:
        changes = changes.filter(author=user)
    return render(
        request,
        "cases/staff/case.html",
        {
            "case": case,
            "sources": sources.filter(pk__in=case.sources.values("pk")),
            "defendants": case.memberships.filter(
                detainee__in=Detainee.objects.visible_to(user)
            ).select_related("detainee"),
            "changes": changes,
            "can_change": user.can_review
            or case.state == State.PUBLISHED
            or (case.created_by_id == user.pk and case.state == State.DRAFT),
        },
    )


@login_required
@staff_required
def correct_case(request, pk):
    """Correct a case's details with a source: at once on a draft, for review when published."""
    case = _case_for(request, pk, action="change")
    form = CaseCorrectionForm(
        request.POST or None, instance=case, initial={"version": case.version}
    )
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if not values:
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:staff-case", pk=pk)
        fresh = Case.objects.get(pk=case.pk)  # the form wrote its values onto `case`
        data = {"fields": values}
        data["add_sources"] = [{"fact": "case", "source_urls": form.cleaned_data["source_urls"]}]
        summary = _("Correction of %(fields)s") % {"fields": ", ".join(sorted(values))}
        response = _save_change(request, form, fresh, data, summary)
        if response is not None:
            return response
    return render(
        request,
        "cases/staff/entry_form.html",
        {"entry": case, "form": form, "title": _("Correct the case")},
    )


@require_POST
@login_required
@moderator_required
def merge_case(request, pk):
    """Merge an individual proceeding into the case named by slug or page address (from the
    staff page of a person in it); back to that page."""
    case = get_object_or_404(Case.objects.filter(individual=True), pk=pk)
    back = request.POST.get("detainee", "")
    text = request.POST.get("into", "").strip()[:300]
    slug = addresses.slug_in(text, "cases")
    into = Case.objects.filter(slug=slug).first() if slug else None
    try:
        if into is None:
            raise ValidationError(_("No case has this slug or address."))
        services.merge_proceeding(case=case, into=into, moderator=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Merged into “%(case)s”.") % {"case": into.name})
    if back.isdigit():
        return redirect("cases:staff-detainee", pk=int(back))
    return redirect("cases:workspace")


def _entry_named(user, text):
    """The entry a moderator names in a form: its staff or public address, its slug, or its
    number; only one they may see."""
    text = text.strip()[:300]
    visible = Detainee.objects.visible_to(user)
    pk = addresses.pk_in(text, "detainees") or (int(text) if text.isdigit() else None)
    if pk is not None:
        return visible.filter(pk=pk).first()
    slug = addresses.slug_in(text, "detainees")
    return visible.filter(slug=slug).first() if slug else None


@login_required
@moderator_required
def merge_person(request, pk):
    """Merge a duplicate entry into this one: name it, read what moves, then propose (on a
    published entry another moderator approves it)."""
    survivor = _detainee_for(request, pk, action="review")
    text = request.POST.get("other", "") if request.method == "POST" else ""
    other, error, lines = None, "", []
    if text:
        other = _entry_named(request.user, text)
        try:
            if other is None:
                raise ValidationError(_("No entry you may see has this address, slug or number."))
            services.check_person_merge(survivor, other)
        except ValidationError as refusal:
            error, other = " ".join(refusal.messages), None
    elif request.method == "POST":
        error = _("Name the entry to merge into this one.")
    if other is not None and request.POST.get("confirm") == str(other.pk):
        try:
            pending = services.propose_merge(survivor=survivor, other=other, moderator=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                _("The merge waits for another moderator's review.")
                if pending
                else _("Merged: “%(other)s” is now part of this entry.") % {"other": other.name},
            )
            return redirect("cases:staff-detainee", pk=pk)
    if other is not None:
        lines = services.describe_data(
            survivor, {"merge_people": [{"detainee": other.pk, "text": other.name}]}
        )
    return render(
        request,
        "cases/staff/merge_person.html",
        {"detainee": survivor, "other": other, "text": text, "error": error, "lines": lines},
    )


# --- History ----------------------------------------------------------------------------------


# Bookkeeping a person's history records but a reader need not see: the version itself, the
# workflow's stamps and the staff's own fields shown elsewhere.
NOT_IN_HISTORY = {"version", "saved_at", "updated_at", "published_at", "created_at", "bio"}


def _readable(detainee, field, value):
    """A field's value as people read it: a choice's label, a date, a dash for nothing."""
    if value in (None, ""):
        return "—"
    model_field = Detainee._meta.get_field(field)
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(value, datetime.date):
        precision = getattr(detainee, f"{field}_precision", Precision.DAY)
        return format_partial_date(value, precision)
    return value


@login_required
@staff_required
def history(request, pk):
    """The person's versions, newest first: who, when and why; each field that changed, old →
    new, labelled in the reader's language; and the change set that made the version, as its
    moderator read it."""
    detainee = _detainee_for(request, pk, action="internal")
    records = list(detainee.history.select_related("history_user").order_by("-history_date")[:100])
    applied = {
        change.applied_version: change
        for change in detainee.pending_changes.filter(applied_version__isnull=False).select_related(
            "author", "reviewer"
        )
    }
    kept = {f.attname for f in Detainee.history.model._meta.fields}
    shown = [
        f for f in Detainee._meta.concrete_fields
        if f.attname in kept and f.name not in NOT_IN_HISTORY and f.name != "id"
    ]  # fmt: skip
    versions = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = [
            {
                "label": f.verbose_name,
                "old": _readable(older, f.name, getattr(older, f.attname)),
                "new": _readable(newer, f.name, getattr(newer, f.attname)),
            }
            for f in shown
            if older is not None and getattr(older, f.attname) != getattr(newer, f.attname)
        ]
        change = applied.get(newer.version) if newer.history_type != "+" else None
        versions.append({
            "record": newer, "changes": changes, "change": change,
            "lines": services.describe_change(change) if change else [],
        })  # fmt: skip
    return render(request, "cases/staff/history.html", {"detainee": detainee, "versions": versions})


@login_required
@moderator_required
def restore(request, pk, history_id):
    """What restoring a version would change, read before it is proposed (GET); proposing it,
    as one change another moderator approves (POST)."""
    detainee = _detainee_for(request, pk, action="review")
    record = detainee.history.filter(history_id=history_id).first()
    if record is None:
        raise Http404
    if request.method == "POST":
        try:
            pending = services.restore_version(
                entry=detainee, history_id=history_id, user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("cases:staff-history", pk=pk)
        messages.success(
            request,
            _("The restore waits for another moderator's review, as one change.")
            if pending
            else _("The earlier version is restored, as a new version."),
        )
        return redirect("cases:staff-detainee", pk=pk)
    data = services.snapshot_change(detainee, record)
    return render(
        request,
        "cases/staff/restore.html",
        {
            "detainee": detainee,
            "record": record,
            "lines": services.describe_data(detainee, data),
        },
    )
