from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import AuditEvent

from . import models as m
from . import services


class HistoryTranslationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """Every translated model: fields per language side by side, and its full history."""


# What the admin may change. Vocabularies (occupations, organizations, courts, facilities, codes,
# articles, Convention articles) are edited here. Entries and their parts (names, events, cases
# and charges, sources, contacts) change only through the staff workspace's services, where a
# change to a published entry waits for a second person's review; here they are shown, and only
# who is assigned to an entry can change. Nothing is deleted here but by an admin's purge.


class ShownOnly:
    """A model admin or inline that shows rows and changes none."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionCheckedForm(forms.ModelForm):
    """Refuses a save made from a form opened before the entry last changed."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            current = current.values_list("version", flat=True).first()
            if cleaned.get("seen_version") != current:
                raise ValidationError(
                    _(
                        "This entry changed since you opened this page (someone published, "
                        "retracted or corrected it). Nothing was saved: open it again and "
                        "redo your change."
                    ),
                    code="stale",
                )
        return cleaned


class PurgeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why these entries are purged (kept in the audit log)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=240,
    )


@admin.action(description=_("Purge: delete for ever, with a reason (admins only)"))
def purge(modeladmin, request, queryset):
    """The one way anything is deleted: by an admin, with a reason kept in the audit log."""
    if not modeladmin.can_purge(request):
        raise PermissionDenied
    form = PurgeForm(request.POST if "reason" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        names = services.purge(entries=queryset, admin=request.user, reason=reason)
        for name in names:
            AuditEvent.record(
                AuditEvent.Kind.ENTRY_PURGED, request=request, user=request.user,
                detail=f"{modeladmin.model._meta.verbose_name} {name}: {reason}"[:255],
            )  # fmt: skip
        messages.success(request, gettext_now("Purged: %(names)s.") % {"names": ", ".join(names)})
        return None
    return TemplateResponse(
        request,
        "admin/purge.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": gettext_now("Purge for ever"),
            "entries": queryset,
            "form": form,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        },
    )


class EntryAdmin(HistoryTranslationAdmin):
    """Detainees and cases: shown whole; only the assigned researchers change here."""

    form = VersionCheckedForm
    actions = [purge]
    editable = ["assignees"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def can_purge(self, request):
        return request.user.has_perm(f"cases.delete_{self.model._meta.model_name}")

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        if not self.can_purge(request):
            actions.pop("purge", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = [f for fs in self.get_fieldsets(request, obj) for f in _flatten(fs[1]["fields"])]
        return [f for f in fields if f not in self.editable and f != "seen_version"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        # Checked again under a row lock: the form's check and this save are not one moment.
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if locked.version != form.cleaned_data.get("seen_version"):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


def _flatten(fields):
    for field in fields:
        if isinstance(field, (list, tuple)):
            yield from field
        else:
            yield field


# --- Vocabularies -----------------------------------------------------------------------------


@admin.register(m.Occupation)
class OccupationAdmin(HistoryTranslationAdmin):
    list_display = ["name", "slug"]
    list_filter = ["approved"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Organization)
class OrganizationAdmin(HistoryTranslationAdmin):
    list_display = ["name", "abbreviation", "website"]
    list_filter = ["approved"]
    search_fields = ["name", "abbreviation", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Court)
class CourtAdmin(HistoryTranslationAdmin):
    list_display = ["name", "slug"]
    list_filter = ["approved"]
    search_fields = ["name", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Facility)
class FacilityAdmin(HistoryTranslationAdmin):
    list_display = ["name", "kind", "location"]
    list_filter = ["kind", "approved"]
    search_fields = ["name", "location", "slug", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.LegalCode)
class LegalCodeAdmin(HistoryTranslationAdmin):
    list_display = ["name", "short_name", "country"]
    list_filter = ["country"]
    search_fields = ["name", "short_name"]


@admin.register(m.LegalArticle)
class LegalArticleAdmin(HistoryTranslationAdmin):
    list_display = ["number", "title", "code", "parent", "approved"]
    list_filter = ["code", "approved"]
    list_select_related = ["code", "parent__code"]
    search_fields = ["number", "title"]
    readonly_fields = ["parent"]

    def get_search_results(self, request, queryset, search_term):
        # "206" finds 206 and everything under it, in the admin and in autocompletes.
        term = search_term.strip()
        if term and term.replace(".", "").replace("-", "").isdigit():
            return queryset.under(term), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(m.Source)
class SourceAdmin(ShownOnly, SimpleHistoryAdmin):
    list_display = ["__str__", "publisher", "published_on", "language", "confidential"]
    list_filter = ["confidential", "language", "publisher"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_on"


@admin.register(m.ConventionArticle)
class ConventionArticleAdmin(HistoryTranslationAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


# --- Detainees --------------------------------------------------------------------------------


class DetaineeNameInline(ShownOnly, admin.TabularInline):
    model = m.DetaineeName
    extra = 0
    autocomplete_fields = ["sources"]


class OccupationInline(ShownOnly, admin.TabularInline):
    model = m.DetaineeOccupation
    extra = 0
    autocomplete_fields = ["occupation", "sources"]


class AffiliationInline(ShownOnly, TranslationTabularInline):
    model = m.Affiliation
    extra = 0
    autocomplete_fields = ["organization", "sources"]


class ContactInline(ShownOnly, admin.StackedInline):
    model = m.Contact
    extra = 0
    verbose_name_plural = _("contacts (staff only: never shown publicly)")


class MembershipInline(ShownOnly, admin.TabularInline):
    model = m.CaseDefendant
    extra = 0
    autocomplete_fields = ["case", "detainee", "sources"]
    show_change_link = True
    verbose_name_plural = _("cases (open one to edit its charges)")


class EventInline(ShownOnly, TranslationStackedInline):
    model = m.Event
    extra = 0
    autocomplete_fields = ["case", "court", "facility", "sources"]
    fieldsets = [
        (None, {"fields": [("kind", "date", "date_precision"), "case", ("court", "facility"),
                           "description", "sources"]}),
        (_("Term and sentence"), {"fields": [("term_months", "term_days"),
                                             ("sentence_kind", "sentence_years", "sentence_months",
                                              "in_absentia")]}),
        (_("Staff only"), {"fields": ["internal_note"]}),
    ]  # fmt: skip


@admin.register(m.Detainee)
class DetaineeAdmin(EntryAdmin):
    list_display = ["name", "state", "status", "in_custody_since", "updated_at"]
    list_filter = ["state", "status", "gender", "occupations", "is_synthetic"]
    search_fields = ["name"]
    autocomplete_fields = ["sources"]
    filter_horizontal = ["assignees"]
    inlines = [
        DetaineeNameInline, OccupationInline, AffiliationInline, MembershipInline, EventInline,
        ContactInline,
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["name", "slug", "state", ("gender", "born", "born_precision"),
                           "bio", "sources"]}),
        (_("Derived from the timeline"), {"fields": [
            ("status", "status_since"), ("first_detained_on", "in_custody_since", "released_on"),
            "days_in_custody_display", "sentence_display"]}),
        (_("Staff only"), {"fields": ["internal_notes", "assignees", "review_comment",
                                      "retraction_reason"]}),
        (_("Record"), {"fields": [("version", "created_by", "created_at"),
                                  ("published_at", "updated_at", "saved_at"), "seen_version"]}),
    ]  # fmt: skip

    @admin.display(description=_("days in custody"))
    def days_in_custody_display(self, obj):
        return obj.days_in_custody()

    @admin.display(description=_("current sentence"))
    def sentence_display(self, obj):
        return obj.sentence_display or "—"

    def get_search_results(self, request, queryset, search_term):
        # Any spelling in any script: Məmmədli, MAMMADLI and Мамедли find the same person.
        if not search_term.strip():
            return queryset, False
        return queryset.matching_name(search_term), False


# --- Cases ------------------------------------------------------------------------------------


class ChargeInline(ShownOnly, TranslationTabularInline):
    model = m.Charge
    extra = 0
    autocomplete_fields = ["article", "requalified_from", "sources"]


@admin.register(m.CaseDefendant)
class CaseDefendantAdmin(ShownOnly, SimpleHistoryAdmin):
    list_display = ["detainee", "case", "role", "since"]
    list_filter = ["role"]
    list_select_related = ["detainee", "case"]
    search_fields = ["detainee__name", "case__name"]
    autocomplete_fields = ["case", "detainee", "sources"]
    inlines = [ChargeInline]


class DefendantInline(ShownOnly, admin.TabularInline):
    model = m.CaseDefendant
    extra = 0
    autocomplete_fields = ["detainee", "sources"]
    show_change_link = True


@admin.register(m.Case)
class CaseAdmin(EntryAdmin):
    list_display = ["name", "state", "parent", "case_number", "updated_at"]
    list_filter = ["state", "is_synthetic"]
    list_select_related = ["parent"]
    search_fields = ["name", "case_number", "slug"]
    autocomplete_fields = ["parent", "court", "sources"]
    inlines = [DefendantInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "state", "parent", "investigating_body", "court",
                           "case_number", ("opened_on", "opened_on_precision"), "description",
                           "sources"]}),
        (_("Staff only"), {"fields": ["internal_notes", "assignees", "review_comment",
                                      "retraction_reason"]}),
        (_("Record"), {"fields": [("version", "created_by", "created_at"),
                                  ("published_at", "updated_at", "saved_at"), "seen_version"]}),
    ]  # fmt: skip


# --- ECHR -------------------------------------------------------------------------------------


@admin.register(m.EchrApplication)
class EchrApplicationAdmin(HistoryTranslationAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # published facts: nothing is deleted here

    list_display = ["number", "title", "group", "judgment_on", "final_on"]
    list_filter = ["group", "violations"]
    list_select_related = ["group"]
    search_fields = ["number", "title"]
    autocomplete_fields = ["applicants", "violations", "group", "sources"]


class CmDecisionInline(TranslationStackedInline):
    model = m.CmDecision
    extra = 0


class GroupApplicationInline(admin.TabularInline):
    model = m.EchrApplication
    fields = ["number", "title", "judgment_on", "final_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("applications in this group")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.ExecutionGroup)
class ExecutionGroupAdmin(HistoryTranslationAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # published facts: nothing is deleted here

    list_display = ["name", "supervision", "lead_application"]
    list_filter = ["supervision"]
    list_select_related = ["lead_application"]
    search_fields = ["name", "former_name"]
    autocomplete_fields = ["lead_application", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GroupApplicationInline, CmDecisionInline]


@admin.register(m.PendingChange)
class PendingChangeAdmin(ShownOnly, admin.ModelAdmin):
    list_display = ["summary", "detainee", "case", "author", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["detainee", "case", "author"]
    readonly_fields = ["detainee", "case", "author", "base_version", "data", "created_at",
                       "reviewer", "reviewed_at"]  # fmt: skip
