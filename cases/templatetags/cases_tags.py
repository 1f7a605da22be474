import datetime
import re

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html
from django.utils.translation import pgettext
from modeltranslation.utils import build_localized_fieldname

from .. import i18n
from ..models import Precision, format_partial_date

register = template.Library()


@register.filter
def partial_date(value, precision=Precision.DAY):
    """{{ event.date|partial_date:event.date_precision }} -> 29 April 2024, April 2024 or 2024."""
    return format_partial_date(value, precision or Precision.DAY)


ISO_DAY_OR_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@register.filter
def date_label(text):
    """A chart row's "2024-04-30" or "2024-04" written the language's way (30 April 2024,
    April 2024); any other label as it is. The CSV keeps the ISO form."""
    match = ISO_DAY_OR_MONTH.match(str(text))
    if not match:
        return text
    year, month, day = match.groups()
    try:
        value = datetime.date(int(year), int(month), int(day or 1))
    except ValueError:
        return text
    return format_partial_date(value, Precision.DAY if day else Precision.MONTH)


@register.filter
def duration(n, kind="days"):
    """{{ days|duration:"held" }} -> Held for 575 days; kinds in cases.i18n.DURATIONS."""
    return i18n.write_duration(n, kind)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """{% language_versions as versions %}: this page in every language (cases.i18n).

    Django's error views pass the `exception`: a 404 then looks the same at every address,
    whether an entry is missing or unpublished. Empty where Django renders without a request.
    """
    request = context.get("request")
    if request is None:
        return []
    return i18n.language_versions(request, error_page="exception" in context)


@register.simple_tag
def translated(obj, field, lines=False):
    """{% translated detainee "bio" %}: a translated field in the active language.

    Where it has no version in this language, the English one (or, lacking that, another) is
    shown marked with its language (`lang="en"`) and as not translated. `lines=True` keeps the
    text's line breaks.
    """
    language = i18n.current_language()
    # The page's language, then English, then any other: text written only in Azerbaijani is
    # shown (marked) on the English page rather than nothing at all.
    order = [language, settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES)]
    shown_in, text = next(
        ((code, value) for code in dict.fromkeys(order)
         if (value := getattr(obj, build_localized_fieldname(field, code), None))),
        (language, None),
    )  # fmt: skip
    if not text:
        return ""
    shown = linebreaksbr(text, autoescape=True) if lines else text
    if shown_in == language:
        return format_html("{}", shown)
    return format_html(
        '<span lang="{}">{}</span> <span class="untranslated">({})</span>',
        shown_in,
        shown,
        pgettext("shown beside English text", "not translated"),
    )


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
