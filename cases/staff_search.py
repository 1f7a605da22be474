"""Staff search: find any entry the user may see, by any spelling, by state, by who works on it,
and by the gaps a researcher should fill (no source on a fact, no occupation...).

The rows are `Detainee.objects.visible_to(user)`, the one read rule; what only an entry's author,
assignees and reviewers may know (who wrote it, who works on it, other people's pending changes)
is a filter or a column for moderators alone, and "has pending changes" counts, for a
researcher, only the changes they may read (`with_internal_access`).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Charge,
    Detainee,
    DetaineeName,
    DetaineeOccupation,
    Event,
    PendingChange,
    Precision,
    State,
)
from .text import name_condition
from .workspace import staff_required

PER_PAGE = 50


def _without_sources(model, **link):
    """Rows of `model` for the person (`link` names the path to it) that cite no source."""
    return Exists(
        model.objects.filter(**{key: OuterRef("pk") for key in link.values()}).filter(
            sources__isnull=True
        )
    )


# Each gap: its label and the condition that finds the entries with it.
GAPS = {
    "no_source": (
        _("a fact with no source"),
        lambda: (
            ~Exists(Detainee.sources.through.objects.filter(detainee_id=OuterRef("pk")))
            | _without_sources(Event, link="detainee")
            | _without_sources(Charge, link="defendant__detainee")
            | _without_sources(DetaineeName, link="detainee")
            | _without_sources(DetaineeOccupation, link="detainee")
        ),
    ),
    "no_occupation": (
        _("no occupation"),
        lambda: ~Exists(DetaineeOccupation.objects.filter(detainee=OuterRef("pk"))),
    ),
    "no_facility": (
        _("in custody, no place of detention"),
        lambda: (
            Q(in_custody_since__isnull=False)
            & ~Exists(Event.objects.filter(detainee=OuterRef("pk"), facility__isnull=False))
        ),
    ),
    "year_only": (
        _("a detention known only to the year"),
        lambda: Exists(
            Event.objects.filter(
                detainee=OuterRef("pk"),
                kind=Event.Kind.DETENTION,
                date_precision=Precision.YEAR,
            )
        ),
    ),
}
SORTS = {"name": ("name", "pk"), "-saved": ("-saved_at", "pk")}


class StaffSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, in any spelling or script"), max_length=200, required=False)
    state = forms.MultipleChoiceField(
        label=_("State"), choices=State.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    mine = forms.BooleanField(label=_("Logged by me"), required=False)
    assigned = forms.BooleanField(label=_("Assigned to me"), required=False)
    pending = forms.BooleanField(label=_("Has changes waiting for review"), required=False)
    gap = forms.MultipleChoiceField(
        label=_("Missing"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(key, label) for key, (label, _condition) in GAPS.items()],
    )  # fmt: skip
    author = forms.ModelChoiceField(label=_("Logged by"), queryset=None, required=False)
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"), required=False,
        choices=[("name", _("name")), ("-saved", _("last saved, newest first"))],
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.can_review:
            staff = services.assignable()
            self.fields["author"].queryset = self.fields["assignee"].queryset = staff
        else:
            # Who wrote or works on an entry is its internal data (SPEC, Roles).
            del self.fields["author"], self.fields["assignee"]

    def results(self, user):
        """The entries matching the valid filters (a malformed one is ignored: the form says
        so), with the count of pending changes the user may read."""
        data = self.cleaned_data if self.is_valid() else {}
        entries = Detainee.objects.visible_to(user)
        if data.get("q") and (condition := name_condition(data["q"])) is not None:
            entries = entries.filter(condition)
        if data.get("state"):
            entries = entries.filter(state__in=data["state"])
        if data.get("mine"):
            entries = entries.filter(created_by=user)
        assigned = Detainee.assignees.through.objects.filter(detainee_id=OuterRef("pk"))
        if data.get("assigned"):
            entries = entries.filter(Exists(assigned.filter(user_id=user.pk)))
        if data.get("author"):
            entries = entries.filter(created_by=data["author"])
        if data.get("assignee"):
            entries = entries.filter(Exists(assigned.filter(user_id=data["assignee"].pk)))
        readable = PendingChange.objects.filter(state=PendingChange.State.PENDING)
        if not user.can_review:
            readable = readable.filter(
                Q(author=user) | Q(detainee__in=Detainee.objects.with_internal_access(user))
            )
        if data.get("pending"):
            entries = entries.filter(Exists(readable.filter(detainee=OuterRef("pk"))))
        for gap in data.get("gap", []):
            entries = entries.filter(GAPS[gap][1]())
        waiting = Count("pending_changes", filter=Q(pending_changes__in=readable), distinct=True)
        return (
            entries.annotate(waiting=waiting)
            .select_related("created_by")
            .order_by(*SORTS.get(data.get("sort") or "name", SORTS["name"]))
        )


@login_required
@staff_required
def staff_search(request):
    form = StaffSearchForm(request.GET or None, user=request.user)
    entries = form.results(request.user)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/staff/search.html",
        {"form": form, "page": page, "query": query.urlencode(), "searched": bool(request.GET)},
    )
