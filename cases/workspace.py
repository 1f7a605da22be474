"""The staff workspace: researchers log arrests and changes, moderators review them.

Access to an entry is decided in one place per type, `_detainee_for()` and `_case_for()`, on top
of the one read rule `visible_to(user)`. An entry a user may not see answers 404, like a missing
one. Editing an entry after it was logged lives beside it, in `workbench.py`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import (
    ChargeForm,
    CorrectionForm,
    DecisionForm,
    EventForm,
    LogArrestForm,
    RetractForm,
)
from .models import (
    Case,
    Charge,
    Detainee,
    Event,
    LegalArticle,
    PendingChange,
    Source,
    State,
    format_partial_date,
)

staff_required = permission_required("cases.log_entries", raise_exception=True)
moderator_required = permission_required("cases.review_entries", raise_exception=True)


def _detainee_for(request, pk, *, action="view"):
    """The detainee `pk` if the user may do `action` on it: view, change or review.

    - view: any entry the user can see (visible_to): its public parts; the page asks
      `internal_visible_to` before showing internal data.
    - internal: an entry whose internal data the user may read (with_internal_access): its
      history, for instance. Otherwise 404, like an entry that does not exist.
    - change: moderators any entry; researchers their own or assigned drafts, and any published
      entry (their change then waits for review).
    - review: moderators only.
    """
    user = request.user
    detainee = get_object_or_404(Detainee.objects.visible_to(user), pk=pk)
    if action == "view":
        return detainee
    if action == "internal":
        if not detainee.internal_visible_to(user):
            raise Http404
        return detainee
    if action == "review":
        if not user.can_review:
            raise PermissionDenied
        return detainee
    if action == "change":
        if user.can_review or detainee.state == State.PUBLISHED:
            return detainee
        mine = detainee.created_by_id == user.pk or detainee.assignees.filter(pk=user.pk).exists()
        if mine and detainee.state == State.DRAFT:
            return detainee
        raise PermissionDenied
    raise ValueError(action)


def _case_for(request, pk, *, action="view"):
    """The case `pk` if the user may do `action` on it (view or change), on the one read rule
    `Case.objects.visible_to(user)`: moderators any case; researchers any published case (their
    change waits for review) and their own drafts. Otherwise 404 or 403, as for people."""
    user = request.user
    case = get_object_or_404(Case.objects.visible_to(user), pk=pk)
    if action == "view" or user.can_review or case.state == State.PUBLISHED:
        return case
    mine = case.created_by_id == user.pk or case.assignees.filter(pk=user.pk).exists()
    if action == "change" and mine and case.state == State.DRAFT:
        return case
    raise PermissionDenied


def _cases_for(user):
    return Case.objects.visible_to(user).exclude(state=State.RETRACTED).order_by("name")


@login_required
@staff_required
def workspace(request):
    user = request.user
    assigned = Detainee.assignees.through.objects.filter(
        detainee_id=OuterRef("pk"), user_id=user.pk
    )
    entries = (
        Detainee.objects.visible_to(user)
        .filter(Q(created_by=user) | Q(Exists(assigned)))
        .order_by("-saved_at")
    )
    changes = list(
        PendingChange.objects.filter(author=user)
        .exclude(state=PendingChange.State.APPLIED)
        .select_related("detainee", "case")[:50]
    )
    for change in changes:
        # A change another approved one overlapped: said here, with "re-apply".
        change.conflict_details = (
            services.conflict_details(change) if change.state == PendingChange.State.PENDING else []
        )
        change.conflicts = list(dict.fromkeys(c[0] for c in change.conflict_details))
    queue = None
    if user.can_review:
        queue = {
            "entries": Detainee.objects.filter(state=State.IN_REVIEW).count(),
            "changes": PendingChange.objects.filter(state=PendingChange.State.PENDING).count(),
        }
    return render(
        request,
        "cases/staff/workspace.html",
        {"entries": entries[:100], "changes": changes, "queue": queue},
    )


def _possible_duplicates(user, names, *, exclude=None):
    """Entries the user may see whose name matches any of `names`, in any spelling.

    Never a word about entries the user may not see (another researcher's draft), not even a
    count; moderators see every entry, and so every match when they review.
    """
    matches = Detainee.objects.none()
    for name in names:
        matches = matches | Detainee.objects.matching_name(name)
    matches = matches.exclude(state=State.RETRACTED).exclude(pk=exclude).distinct()
    return list(matches.filter(pk__in=Detainee.objects.visible_to(user).values("pk"))[:10])


@login_required
@staff_required
def log_arrest(request):
    cases = _cases_for(request.user)
    form = LogArrestForm(request.POST or None, cases=cases)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        names = [cleaned["name"], *cleaned.get("other_names", [])]
        duplicates = _possible_duplicates(request.user, names)
        if duplicates and not cleaned["not_a_duplicate"]:
            messages.warning(
                request, _("This person may already be recorded. Check the matches below.")
            )
        else:
            detainee = services.log_arrest(author=request.user, data=form.cleaned_data)
            messages.success(
                request,
                _("Saved as a draft. Submit it for review when it is ready."),
            )
            return redirect("cases:staff-detainee", pk=detainee.pk)
    return render(
        request,
        "cases/staff/log_arrest.html",
        {
            "form": form,
            "duplicates": duplicates,
            "article_numbers": LegalArticle.objects.values_list("number", flat=True)[:2000],
        },
    )


@login_required
@staff_required
def staff_detainee(request, pk):
    detainee = _detainee_for(request, pk)
    user = request.user
    internal = detainee.internal_visible_to(user)
    sources = Source.objects.all() if internal else Source.objects.public()
    with_sources = Prefetch("sources", queryset=sources)
    events = detainee.events.select_related("court", "facility", "case").prefetch_related(
        with_sources
    )
    memberships = detainee.memberships.select_related("case").prefetch_related(
        with_sources,
        Prefetch(
            "charges",
            queryset=Charge.objects.select_related("article").prefetch_related(with_sources),
        ),
    )
    changes = detainee.pending_changes.exclude(state=PendingChange.State.APPLIED).select_related(
        "author"
    )
    if not internal:
        # Someone else's entry: its public parts, the user's own proposals, and no case the
        # user may not see (a draft case's name is internal too).
        memberships = memberships.filter(case__in=Case.objects.visible_to(user))
        changes = changes.filter(author=user)
    mine = detainee.created_by_id == user.pk
    return render(
        request,
        "cases/staff/detainee.html",
        {
            "detainee": detainee,
            "internal": internal,
            "events": events,
            "contacts": detainee.contacts.all() if internal else [],
            "entry_sources": sources.filter(pk__in=detainee.sources.values("pk")),
            "other_names": detainee.other_names.prefetch_related(with_sources),
            "occupation_rows": detainee.occupation_rows.select_related(
                "occupation"
            ).prefetch_related(with_sources),
            "affiliations": detainee.affiliations.select_related("organization").prefetch_related(
                with_sources
            ),
            "echr_applications": detainee.echr_applications.all(),
            "memberships": memberships,
            "changes": changes,
            # What a researcher could not be told when logging it: every match, for review.
            "duplicates": _possible_duplicates(
                user,
                [detainee.name, *detainee.other_names.values_list("name", flat=True)],
                exclude=detainee.pk,
            )
            if user.can_review and detainee.state != State.PUBLISHED
            else [],
            # New vocabulary an import proposed with the entry: approved when it is published.
            "proposed_terms": [
                (model._meta.verbose_name, term)
                for model, term in (services.proposed_terms_of(detainee) if internal else [])
            ],
            "assignable": services.assignable() if user.can_review else [],
            "assigned": set(detainee.assignees.values_list("pk", flat=True)) if internal else set(),
            "can_submit": mine and detainee.state == State.DRAFT,
            "can_change": user.can_review
            or detainee.state == State.PUBLISHED
            or (mine and detainee.state == State.DRAFT),
            "event_form": EventForm(cases=_cases_for(user), initial={"version": detainee.version}),
            "decision_form": DecisionForm(),
            "retract_form": RetractForm(),
        },
    )


@login_required
@staff_required
def add_event(request, pk):
    detainee = _detainee_for(request, pk, action="change")
    form = EventForm(request.POST or None, cases=_cases_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = {"add_events": [services.event_data(form.cleaned_data)]}
        cleaned = form.cleaned_data
        summary = _("%(kind)s on %(date)s") % {
            "kind": Event.Kind(cleaned["kind"]).label,
            "date": format_partial_date(cleaned["date"], cleaned["date_precision"]),
        }
        response = _save_change(request, form, detainee, data, summary)
        if response is not None:
            return response
    if request.method == "GET":
        form = EventForm(cases=_cases_for(request.user), initial={"version": detainee.version})
    return render(
        request,
        "cases/staff/entry_form.html",
        {"detainee": detainee, "entry": detainee, "form": form, "title": _("Log an event")},
    )


def _save_change(request, form, entry, data, summary):
    """Write the change to a person or a case, or hold it for review; None when it failed (the
    form says why)."""
    is_case = isinstance(entry, Case)
    try:
        pending = services.change_entry(
            **{"case" if is_case else "detainee": entry}, author=request.user, data=data,
            summary=summary, version=form.cleaned_data["version"],
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error)
        return None
    _saved_message(request, pending)
    return redirect("cases:staff-case" if is_case else "cases:staff-detainee", pk=entry.pk)


def _saved_message(request, pending):
    """What a saved change says: applied, or waiting for review."""
    messages.success(
        request,
        _("Your change waits for review; the public page is unchanged until then.")
        if pending is not None
        else _("Saved."),
    )


@login_required
@staff_required
def correct(request, pk):
    detainee = _detainee_for(request, pk, action="change")
    form = CorrectionForm(
        request.POST or None, instance=detainee, initial={"version": detainee.version}
    )
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if not values:
            messages.info(request, _("Nothing was changed."))
            return redirect("cases:staff-detainee", pk=detainee.pk)
        summary = _("Correction of %(fields)s") % {"fields": ", ".join(sorted(values))}
        # The form wrote the values onto `detainee`; the service works from a fresh copy.
        fresh = Detainee.objects.get(pk=detainee.pk)
        response = _save_change(request, form, fresh, {"fields": values}, summary)
        if response is not None:
            return response
    return render(
        request,
        "cases/staff/entry_form.html",
        {"detainee": detainee, "entry": detainee, "form": form, "title": _("Correct the details")},
    )


@login_required
@staff_required
def add_charge(request, pk):
    detainee = _detainee_for(request, pk, action="change")
    form = ChargeForm(
        request.POST or None, cases=_cases_for(request.user),
        initial={"version": detainee.version},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        charge = form.charge_data()
        summary = _("Charge: %(what)s (%(step)s)") % {
            "what": form.cleaned_data["article"] or form.cleaned_data["description"],
            "step": Charge.Action(charge["action"]).label,
        }
        response = _save_change(request, form, detainee, {"add_charges": [charge]}, summary)
        if response is not None:
            return response
    return render(
        request,
        "cases/staff/entry_form.html",
        {"detainee": detainee, "entry": detainee, "form": form, "title": _("Record a charge")},
    )


# The parts of an entry added through review like every change: (form, page title).
@require_POST
@login_required
@staff_required
def submit(request, pk):
    detainee = _detainee_for(request, pk, action="change")
    if detainee.created_by_id != request.user.pk and not request.user.can_review:
        raise PermissionDenied
    try:
        services.submit_for_review(entry=detainee, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Submitted for review."))
    return redirect("cases:staff-detainee", pk=pk)


# --- Review -----------------------------------------------------------------------------------


@login_required
@moderator_required
def review_queue(request):
    return render(
        request,
        "cases/staff/review_queue.html",
        {
            "entries": Detainee.objects.filter(state=State.IN_REVIEW)
            .select_related("created_by")
            .order_by("saved_at"),
            "changes": PendingChange.objects.filter(state=PendingChange.State.PENDING)
            .select_related("detainee", "case", "author")
            .order_by("created_at"),
        },
    )


@require_POST
@login_required
@moderator_required
def review_entry(request, pk):
    detainee = _detainee_for(request, pk, action="review")
    form = DecisionForm(request.POST)
    action = request.POST.get("action")
    comment = form.data.get("comment", "").strip()[:5000]
    try:
        if action == "publish":
            services.publish(entry=detainee, moderator=request.user)
            messages.success(request, _("Published."))
        elif action in ("request_changes", "reject"):
            if not comment:
                raise ValidationError(_("Write a message to the author saying why."))
            if action == "reject":
                services.reject(entry=detainee, moderator=request.user, reason=comment)
                messages.success(request, _("Rejected; the author sees your message."))
            else:
                services.request_changes(entry=detainee, moderator=request.user, comment=comment)
                messages.success(request, _("Sent back to the author with your message."))
        else:
            raise ValidationError(_("Unknown decision."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:staff-detainee", pk=pk)


@require_POST
@login_required
@moderator_required
def retract(request, pk):
    detainee = _detainee_for(request, pk, action="review")
    form = RetractForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for retracting (staff only)."))
        return redirect("cases:staff-detainee", pk=pk)
    try:
        services.retract(entry=detainee, moderator=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Retracted: the entry is off every public page."))
    return redirect("cases:staff-detainee", pk=pk)


@require_POST
@login_required
@moderator_required
def assign(request, pk):
    detainee = _detainee_for(request, pk, action="review")
    chosen = services.assignable().filter(pk__in=[
        int(v) for v in request.POST.getlist("assignees") if v.isdigit() and len(v) < 12
    ])  # fmt: skip
    services.assign(entry=detainee, moderator=request.user, users=chosen)
    messages.success(request, _("Assignment saved."))
    return redirect("cases:staff-detainee", pk=pk)


@require_POST
@login_required
@staff_required
def reapply_change(request, pk):
    """The author proposes their change again on the current version (after a conflict)."""
    change = get_object_or_404(
        PendingChange.objects.filter(author=request.user, state=PendingChange.State.PENDING),
        pk=pk,
    )
    services.reapply_change(change=change, author=request.user)
    messages.success(request, _("Proposed again on the current version: it waits for review."))
    return redirect("cases:workspace")


@login_required
@moderator_required
def review_change(request, pk):
    change = get_object_or_404(
        PendingChange.objects.select_related("detainee", "case", "author"), pk=pk
    )
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "").strip()[:5000]
        try:
            if action == "approve":
                services.approve_change(
                    change=change, moderator=request.user, revision=request.POST.get("revision")
                )
                messages.success(request, _("Approved: the public page now shows the change."))
            elif action in ("reject", "request_changes") and comment:
                state = {
                    "reject": PendingChange.State.REJECTED,
                    "request_changes": PendingChange.State.CHANGES_REQUESTED,
                }[action]
                services.decide_change(
                    change=change, moderator=request.user, state=state, comment=comment
                )
                messages.success(request, _("Decided; the author sees your message."))
            else:
                raise ValidationError(_("Write a message to the author saying why."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("cases:review-queue")
    return render(
        request,
        "cases/staff/review_change.html",
        {
            "change": change,
            "lines": services.describe_change(change),
            "conflicts": services.change_conflicts(change),
            "conflict_details": services.conflict_details(change),
            "form": DecisionForm(),
        },
    )
