"""What every workflow shares: locking, version checks, sources by URL, history reasons."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from ..models import Source

# Event fields a pending change may carry, and how each is stored in its JSON.
EVENT_FIELDS = [
    "kind", "date", "date_precision", "court", "facility", "case", "description_en",
    "description_az", "description_ru",
    "term_months", "term_days", "sentence_kind", "sentence_years", "sentence_months",
    "in_absentia", "internal_note",
]  # fmt: skip
DETAINEE_FIELDS = ["name", "gender", "born", "born_precision", "bio_en", "bio_az", "bio_ru"]
# A case's own fields a change may carry (its name and texts in every language).
CASE_FIELDS = [
    "name_en", "name_az", "name_ru", "investigating_body_en", "investigating_body_az",
    "investigating_body_ru", "court", "case_number", "opened_on", "opened_on_precision",
    "description_en", "description_az", "description_ru",
]  # fmt: skip


class StaleVersion(ValidationError):
    pass


def sources_for(urls):
    """The Source rows for these URLs, created where new."""
    return [Source.objects.get_or_create(url=url, defaults={"title": url})[0] for url in urls]


def _lock(entry):
    return type(entry).objects.select_for_update().get(pk=entry.pk)


def _check_version(locked, version):
    if version is not None and int(version) != locked.version:
        raise StaleVersion(
            _(
                "Someone else saved this entry since you opened it. Your change was not saved: "
                "reload the page to see their version, then make your change again."
            )
        )


def _reason(entry, text):
    update_change_reason(entry, text[:100])
