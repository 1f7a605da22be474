from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


class HistoryTranslationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """Every translated model: fields per language side by side, and its full history."""


# --- Vocabularies -----------------------------------------------------------------------------


@admin.register(m.Occupation)
class OccupationAdmin(HistoryTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Organization)
class OrganizationAdmin(HistoryTranslationAdmin):
    list_display = ["name", "abbreviation", "website"]
    search_fields = ["name", "abbreviation", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Court)
class CourtAdmin(HistoryTranslationAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.Facility)
class FacilityAdmin(HistoryTranslationAdmin):
    list_display = ["name", "kind", "location"]
    list_filter = ["kind"]
    search_fields = ["name", "location", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(m.LegalCode)
class LegalCodeAdmin(HistoryTranslationAdmin):
    list_display = ["name", "short_name", "country"]
    list_filter = ["country"]
    search_fields = ["name", "short_name"]


@admin.register(m.LegalArticle)
class LegalArticleAdmin(HistoryTranslationAdmin):
    list_display = ["number", "title", "code", "parent"]
    list_filter = ["code"]
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
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "publisher", "published_on", "language", "confidential"]
    list_filter = ["confidential", "language", "publisher"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "published_on"


@admin.register(m.ConventionArticle)
class ConventionArticleAdmin(HistoryTranslationAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


# --- Detainees --------------------------------------------------------------------------------


class DetaineeNameInline(admin.TabularInline):
    model = m.DetaineeName
    extra = 0


class AffiliationInline(TranslationTabularInline):
    model = m.Affiliation
    extra = 0
    autocomplete_fields = ["organization", "sources"]


class ContactInline(admin.StackedInline):
    model = m.Contact
    extra = 0
    verbose_name_plural = _("contacts (staff only: never shown publicly)")


class MembershipInline(admin.TabularInline):
    model = m.CaseDefendant
    extra = 0
    autocomplete_fields = ["case", "detainee", "sources"]
    show_change_link = True
    verbose_name_plural = _("cases (open one to edit its charges)")


class EventFormSet(BaseInlineFormSet):
    def clean(self):
        """Refuse a timeline that contradicts itself, such as a release before the detention."""
        super().clean()
        if any(self.errors):
            return
        events = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = m.derive_timeline(events).problems
        if problems:
            raise ValidationError(problems)


class EventInline(TranslationStackedInline):
    model = m.Event
    formset = EventFormSet
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


class RefreshDerivedMixin:
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_derived()


@admin.register(m.Detainee)
class DetaineeAdmin(RefreshDerivedMixin, HistoryTranslationAdmin):
    list_display = ["name", "state", "status", "in_custody_since", "updated_at"]
    list_filter = ["state", "status", "gender", "occupations", "is_synthetic"]
    search_fields = ["name"]
    autocomplete_fields = ["occupations", "sources"]
    filter_horizontal = ["assignees"]
    readonly_fields = [
        "status", "status_since", "first_detained_on", "in_custody_since", "released_on",
        "days_in_custody_display", "sentence_display", "version", "published_at", "created_by",
        "created_at", "updated_at",
    ]  # fmt: skip
    inlines = [DetaineeNameInline, AffiliationInline, MembershipInline, EventInline, ContactInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "state", ("gender", "born", "born_precision"),
                           "occupations", "bio", "sources"]}),
        (_("Derived from the timeline"), {"fields": [
            ("status", "status_since"), ("first_detained_on", "in_custody_since", "released_on"),
            "days_in_custody_display", "sentence_display"]}),
        (_("Staff only"), {"fields": ["internal_notes", "assignees", "review_comment",
                                      "retraction_reason"]}),
        (_("Record"), {"fields": [("version", "created_by", "created_at"),
                                  ("published_at", "updated_at")]}),
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

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Cases ------------------------------------------------------------------------------------


class ChargeInline(TranslationTabularInline):
    model = m.Charge
    extra = 0
    autocomplete_fields = ["article", "requalified_from", "sources"]


@admin.register(m.CaseDefendant)
class CaseDefendantAdmin(SimpleHistoryAdmin):
    list_display = ["detainee", "case", "role", "since"]
    list_filter = ["role"]
    list_select_related = ["detainee", "case"]
    search_fields = ["detainee__name", "case__name"]
    autocomplete_fields = ["case", "detainee", "sources"]
    inlines = [ChargeInline]


class DefendantInline(admin.TabularInline):
    model = m.CaseDefendant
    extra = 0
    autocomplete_fields = ["detainee", "sources"]
    show_change_link = True


@admin.register(m.Case)
class CaseAdmin(HistoryTranslationAdmin):
    list_display = ["name", "state", "parent", "case_number", "updated_at"]
    list_filter = ["state", "is_synthetic"]
    list_select_related = ["parent"]
    search_fields = ["name", "case_number", "slug"]
    autocomplete_fields = ["parent", "court", "sources"]
    readonly_fields = ["version", "published_at", "created_by", "created_at", "updated_at"]
    inlines = [DefendantInline]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- ECHR -------------------------------------------------------------------------------------


@admin.register(m.EchrApplication)
class EchrApplicationAdmin(HistoryTranslationAdmin):
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
    list_display = ["name", "supervision", "lead_application"]
    list_filter = ["supervision"]
    list_select_related = ["lead_application"]
    search_fields = ["name", "former_name"]
    autocomplete_fields = ["lead_application", "sources"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GroupApplicationInline, CmDecisionInline]


@admin.register(m.PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    list_display = ["summary", "detainee", "case", "author", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["detainee", "case", "author"]
    readonly_fields = ["detainee", "case", "author", "base_version", "data", "created_at",
                       "reviewer", "reviewed_at"]  # fmt: skip

    def has_add_permission(self, request):
        return False
