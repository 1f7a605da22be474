import difflib

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from .models import (
    LANGUAGE_CODE_VALIDATOR,
    Case,
    Charge,
    Court,
    Detainee,
    DetaineeName,
    EchrApplication,
    Event,
    Facility,
    Gender,
    LegalArticle,
    Occupation,
    Organization,
    Precision,
    truncate_to_precision,
)

MAX_LINES = 50


def per_language(field):
    """A translated field's form fields, one per language side by side: bio_en, bio_az, bio_ru."""
    return [build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES]


def label_per_language(form, field, label):
    """Label each language's field with the language: "What happened (public): Russian"."""
    for code, name in settings.LANGUAGES:
        form.fields[build_localized_fieldname(field, code)].label = format_lazy(
            "{}: {}", label, name
        )


def _did_you_mean(numbers):
    """ " Did you mean 206.3.2?" for unknown article numbers a known one nearly matches (a
    dropped or doubled digit or dot), or ""; %-escaped, for a message with params."""
    known = list(LegalArticle.objects.values_list("number", flat=True).distinct()[:20000])
    near = []
    for number in numbers:
        near += difflib.get_close_matches(number[:30], known, n=1, cutoff=0.8)
    if not near:
        return ""
    text = _(" Did you mean %(numbers)s?") % {"numbers": ", ".join(dict.fromkeys(near))}
    return text.replace("%", "%%")


def _lines(value):
    return [line.strip() for line in value.splitlines() if line.strip()][:MAX_LINES]


class SourceUrlsField(forms.CharField):
    """One URL per line; at least one: every fact about a real person cites its source."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)  # the clearer message below says what is missing
        kwargs.setdefault("label", _("Source URLs, one per line"))
        kwargs.setdefault(
            "help_text", _("At least one: the news report or document each fact comes from.")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        urls = _lines(super().clean(value) or "")
        if not urls:
            raise ValidationError(_("Give at least one source URL."))
        validate = URLValidator(schemes=["http", "https"])
        bad = []
        for url in urls:
            try:
                validate(url)
            except ValidationError:
                bad.append(url)
        if bad:
            raise ValidationError(
                _("Not a web address: %(urls)s"), params={"urls": ", ".join(bad)[:300]}
            )
        return list(dict.fromkeys(urls))


class PartialDateMixin:
    """Moves a date known only to the month or year to its first day, as the database wants.
    (The staff's entry forms all use it; it also marks their required fields, `required`, which
    the stylesheet stars.)"""

    date_pairs = ()
    required_css_class = "required"

    def clean(self):
        cleaned = super().clean()
        for date_name, precision_name in self.date_pairs:
            if cleaned.get(date_name) and cleaned.get(precision_name):
                cleaned[date_name] = truncate_to_precision(
                    cleaned[date_name], cleaned[precision_name]
                )
        return cleaned


# What a person can be logged with: a detention, or persecution that is not custody.
FIRST_EVENTS = [
    Event.Kind.DETENTION, Event.Kind.HOUSE_ARREST, Event.Kind.POLICE_SUPERVISION,
    Event.Kind.TRAVEL_BAN, Event.Kind.SUMMONS, Event.Kind.SEARCH, Event.Kind.FINE,
    Event.Kind.PRESSURE_ON_RELATIVES, Event.Kind.EXILE,
]  # fmt: skip


class LogArrestForm(PartialDateMixin, forms.Form):
    """What a researcher holding a news report knows: a name, a date, a court, a charge."""

    date_pairs = [("detained_on", "detained_on_precision")]

    name = forms.CharField(label=_("Name, in Latin script"), max_length=200)
    other_names = forms.CharField(
        label=_("Other spellings, one per line (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The Azerbaijani spelling, a Cyrillic spelling, a former name…"),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN)
    occupation = forms.ModelChoiceField(
        label=_("Occupation"), queryset=Occupation.objects.all(), required=False,
        to_field_name="slug",
    )  # fmt: skip
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.all(), required=False,
        to_field_name="slug",
    )  # fmt: skip
    role = forms.CharField(label=_("Role in the organization"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=_("Detention or other persecution"),
        choices=[(k.value, k.label) for k in FIRST_EVENTS],
        initial=Event.Kind.DETENTION,
        required=False,  # a detention, unless said otherwise (the import, older clients)
        help_text=_(
            "A detention, or persecution without one: a travel ban, police supervision, a "
            "summons as a suspect, a search, a fine, pressure on relatives. Only a detention "
            "counts as custody."
        ),
    )
    detained_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
        help_text=_("Known only to the month or the year? Give any day of it and say so below."),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2024-04-29.")},
    )  # fmt: skip
    detained_on_precision = forms.ChoiceField(
        label=_("Precision of the date"), choices=Precision.choices, initial=Precision.DAY
    )
    facility = forms.ModelChoiceField(
        label=_("Place of detention"), queryset=Facility.objects.all(), required=False,
        to_field_name="slug",
    )  # fmt: skip
    court = forms.ModelChoiceField(
        label=_("Court"), queryset=Court.objects.all(), required=False, to_field_name="slug"
    )
    case = forms.ModelChoiceField(
        label=_("Case"), queryset=Case.objects.none(), required=False, to_field_name="slug"
    )
    new_case_name = forms.CharField(
        label=_("…or a new case, by name"), max_length=255, required=False
    )
    articles = forms.CharField(
        label=_("Charged under articles (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "Numbers separated by commas, e.g. 206.3.2, 193-1.3.1. With no case chosen or "
            "named, the charges open an individual proceeding, to be merged into a named case "
            "later."
        ),
        widget=forms.TextInput(attrs={"list": "article-numbers", "autocomplete": "off"}),
    )
    # What happened, in every language side by side (description_en, _az, _ru): see __init__.
    source_urls = SourceUrlsField()
    notes = forms.CharField(
        label=_("Notes (staff only: never public)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    not_a_duplicate = forms.BooleanField(
        label=_("I checked the possible matches: this is a different person"), required=False
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        fields = list(self.fields.items())
        at = next(i for i, (name, _field) in enumerate(fields) if name == "source_urls")
        descriptions = [
            (name, forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3})))
            for name in per_language("description")
        ]
        self.fields = dict(fields[:at] + descriptions + fields[at:])
        label_per_language(self, "description", _("What happened (public)"))

    def clean_other_names(self):
        return _lines(self.cleaned_data["other_names"])

    def clean_articles(self):
        numbers = [n.strip() for n in self.cleaned_data["articles"].split(",") if n.strip()]
        articles, unknown, ambiguous = [], [], []
        found = {}
        for article in LegalArticle.objects.filter(number__in=numbers).select_related("code"):
            found.setdefault(article.number, []).append(article)
        for number in numbers:
            matches = found.get(number, [])
            if not matches:
                unknown.append(number)
            elif len(matches) > 1:
                ambiguous.append(number)
            else:
                articles.append(matches[0])
        if unknown:
            raise ValidationError(
                _("Unknown article: %(numbers)s. Ask an admin to add it to the legal code.")
                + _did_you_mean(unknown),
                params={"numbers": ", ".join(unknown)[:200]},
            )
        if ambiguous:
            raise ValidationError(
                _("Article %(numbers)s exists in several codes: ask a moderator to record it."),
                params={"numbers": ", ".join(ambiguous)[:200]},
            )
        return list(dict.fromkeys(articles))

    def clean_kind(self):
        return self.cleaned_data.get("kind") or Event.Kind.DETENTION

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("case") and cleaned.get("new_case_name"):
            self.add_error(
                "new_case_name", _("Choose an existing case or name a new one, not both.")
            )
        return cleaned


class EventForm(PartialDateMixin, forms.ModelForm):
    """Log one event (a remand extension, a verdict, a release…) on an entry."""

    date_pairs = [("date", "date_precision")]

    source_urls = SourceUrlsField()
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Event
        fields = [
            "kind", "date", "date_precision", "case", "court", "facility",
            *per_language("description"), "term_months", "term_days", "sentence_kind",
            "sentence_years", "sentence_months", "in_absentia", "internal_note",
        ]  # fmt: skip
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["date"].input_formats = ["%Y-%m-%d"]
        label_per_language(self, "description", _("What happened (public)"))

    def validate_unique(self):
        """The event belongs to no detainee yet: the service checks it when it is written."""


class CorrectionMixin:
    """A form correcting an entry's own fields (a person's, a case's): `changed_values()` gives
    the corrected fields only, JSON-safe, for the change set."""

    def changed_values(self):
        values = {}
        for name in self.changed_data:
            if name not in self._meta.fields:
                continue  # the version, the sources: not fields of the entry
            value = self.cleaned_data[name]
            if hasattr(value, "pk"):
                value = value.pk
            values[name] = value.isoformat() if hasattr(value, "isoformat") else value
        return values


class CorrectionForm(CorrectionMixin, PartialDateMixin, forms.ModelForm):
    """Correct what is written about the person; on a published entry it waits for review."""

    date_pairs = [("born", "born_precision")]

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Detainee
        fields = ["name", "gender", "born", "born_precision", *per_language("bio")]
        widgets = {"born": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_per_language(self, "bio", _("Biography (public)"))

    def validate_unique(self):
        """Nothing here is unique: the slug stays as published."""


class CaseCorrectionForm(CorrectionMixin, PartialDateMixin, forms.ModelForm):
    """Correct what is written about a case, with a source; on a published case it waits for
    review."""

    date_pairs = [("opened_on", "opened_on_precision")]

    source_urls = SourceUrlsField()
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Case
        fields = [
            *per_language("name"), *per_language("investigating_body"), "court", "case_number",
            "opened_on", "opened_on_precision", *per_language("description"),
        ]  # fmt: skip
        widgets = {"opened_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened_on"].input_formats = ["%Y-%m-%d"]
        court = self.instance.court_id if self.instance else None
        self.fields["court"].queryset = Court.objects.filter(Q(approved=True) | Q(pk=court))
        label_per_language(self, "name", _("Name (public)"))
        label_per_language(self, "investigating_body", _("Investigating body (public)"))
        label_per_language(self, "description", _("Description (public)"))

    def validate_unique(self):
        """Nothing here is unique: the slug stays as published."""


class ChargeForm(PartialDateMixin, forms.Form):
    """A new step in a charge's history: brought, added, requalified, dropped, convicted…"""

    date_pairs = [("date", "date_precision")]

    case = forms.ModelChoiceField(
        label=_("Case"), queryset=Case.objects.none(), to_field_name="slug"
    )
    article = forms.CharField(label=_("Article number"), max_length=30, required=False)
    description = forms.CharField(
        label=_("Offence in words, when the source gives no article"), max_length=255,
        required=False,
    )  # fmt: skip
    action = forms.ChoiceField(label=_("Step"), choices=Charge.Action.choices)
    date = forms.DateField(
        label=_("Date"), required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2024-04-29.")},
    )  # fmt: skip
    date_precision = forms.ChoiceField(
        label=_("Precision of the date"), choices=Precision.choices, initial=Precision.DAY
    )
    source_urls = SourceUrlsField()
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases

    def clean_article(self):
        number = self.cleaned_data["article"].strip()
        if not number:
            return None
        matches = list(LegalArticle.objects.filter(number=number)[:2])
        if len(matches) != 1:
            raise ValidationError(
                _("Unknown article: %(numbers)s. Ask an admin to add it to the legal code.")
                + _did_you_mean([number])
                if not matches
                else _(
                    "Article %(numbers)s exists in several codes: ask a moderator to record it."
                ),
                params={"numbers": number[:30]},
            )
        return matches[0]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("article") and not cleaned.get("description", "").strip():
            raise ValidationError(_("Give the article, or describe the offence in words."))
        return cleaned

    def charge_data(self):
        cleaned = self.cleaned_data
        return {
            "case": cleaned["case"].pk,
            "article": cleaned["article"].pk if cleaned["article"] else None,
            "description": cleaned["description"],
            "action": cleaned["action"],
            "date": cleaned["date"].isoformat() if cleaned["date"] else None,
            "date_precision": cleaned["date_precision"],
            "source_urls": cleaned["source_urls"],
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Message to the author (required to send back or reject)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this entry retracted? (staff only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


# --- The parts of an entry, each added through the same path as every change -----------------


class PartForm(PartialDateMixin, forms.Form):
    """A form adding one part to an entry (a spelling, an occupation, a source…): `change()`
    gives the change set and its summary, for `services.change_entry`."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, detainee, **kwargs):
        super().__init__(*args, **kwargs)
        self.detainee = detainee

    def change(self):
        raise NotImplementedError


class NameForm(PartForm):
    name = forms.CharField(label=_("Spelling"), max_length=200)
    script = forms.ChoiceField(
        label=_("Script"), choices=DetaineeName.Script.choices, initial="latin"
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=DetaineeName.Kind.choices,
        initial=DetaineeName.Kind.TRANSLITERATION,
    )  # fmt: skip
    language = forms.CharField(
        label=_("Language code (az, ru, en…)"), max_length=10, required=False,
        validators=[LANGUAGE_CODE_VALIDATOR],
    )  # fmt: skip
    source_urls = SourceUrlsField(
        help_text=_("Where this spelling is written: a report, a court document.")
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if name == self.detainee.name or self.detainee.other_names.filter(name=name).exists():
            raise ValidationError(_("This spelling is already recorded for this person."))
        return name

    def change(self):
        item = {k: self.cleaned_data[k] for k in ("name", "script", "kind", "language")}
        item["source_urls"] = self.cleaned_data["source_urls"]
        return {"add_names": [item]}, _("Other spelling: %(name)s") % {"name": item["name"]}


class OccupationForm(PartForm):
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=Occupation.objects.none())
    source_urls = SourceUrlsField(help_text=_("Where this occupation is given."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built here, never at import: a lookup resolved before the history models are made
        # leaves its cached column on the fields they copy (wrong SQL on PostgreSQL).
        self.fields["occupation"].queryset = Occupation.objects.filter(approved=True)

    def clean_occupation(self):
        occupation = self.cleaned_data["occupation"]
        if self.detainee.occupation_rows.filter(occupation=occupation).exists():
            raise ValidationError(_("This occupation is already recorded for this person."))
        return occupation

    def change(self):
        occupation = self.cleaned_data["occupation"]
        item = {"occupation": occupation.pk, "source_urls": self.cleaned_data["source_urls"]}
        return {"add_occupations": [item]}, _("Occupation: %(name)s") % {"name": occupation}


class AffiliationForm(PartForm):
    date_pairs = [("start", "start_precision"), ("end", "end_precision")]

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none()
    )
    role = forms.CharField(label=_("Role"), max_length=200, required=False)
    start = forms.DateField(
        label=_("From"), required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    start_precision = forms.ChoiceField(
        label=_("From, known to the"), choices=Precision.choices, initial=Precision.YEAR
    )
    end = forms.DateField(
        label=_("Until"), required=False, input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    end_precision = forms.ChoiceField(
        label=_("Until, known to the"), choices=Precision.choices, initial=Precision.YEAR
    )
    source_urls = SourceUrlsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(approved=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("An affiliation cannot end before it starts."))
        return cleaned

    def change(self):
        cleaned = self.cleaned_data
        item = {
            "organization": cleaned["organization"].pk, "role": cleaned["role"],
            "start": cleaned["start"].isoformat() if cleaned["start"] else None,
            "start_precision": cleaned["start_precision"],
            "end": cleaned["end"].isoformat() if cleaned["end"] else None,
            "end_precision": cleaned["end_precision"],
            "source_urls": cleaned["source_urls"],
        }  # fmt: skip
        summary = _("Affiliation: %(name)s") % {"name": cleaned["organization"]}
        return {"add_affiliations": [item]}, summary


class SourcesForm(PartForm):
    """Sources added to one fact of the entry (`fact` and `id` name it, from the page)."""

    fact = forms.CharField(widget=forms.HiddenInput, max_length=20)
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    source_urls = SourceUrlsField(label=_("Sources to add, one URL per line"))

    def change(self):
        cleaned = self.cleaned_data
        item = {"fact": cleaned["fact"], "id": cleaned["id"], "source_urls": cleaned["source_urls"]}
        return {"add_sources": [item]}, _("Sources added")


class EchrLinkForm(PartForm):
    number = forms.CharField(label=_("Application number, like 47145/14"), max_length=12)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        application = EchrApplication.objects.filter(number=number).first()
        if application is None:
            raise ValidationError(
                _("No application %(number)s is recorded: ask a moderator to add it first."),
                params={"number": number},
            )
        if application.applicants.filter(pk=self.detainee.pk).exists():
            raise ValidationError(_("This person is already an applicant in it."))
        return application

    def change(self):
        application = self.cleaned_data["number"]
        summary = _("ECHR application: %(number)s") % {"number": application.number}
        return {"link_echr": [{"application": application.pk}]}, summary
