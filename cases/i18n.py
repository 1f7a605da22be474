"""Language helpers: dates and durations written each language's way, the page's other-language
addresses, and the visitor's remembered language.

Model-free on purpose: the models, the template tags and the middleware all import from here.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.dateformat import format as format_date
from django.utils.formats import number_format
from django.utils.translation import ngettext
from django.utils.translation.trans_real import parse_accept_lang_header

from .links import absolute_url

# --- Dates ------------------------------------------------------------------------------------

# Month names as each language writes them inside a date: (on a day, a month on its own).
# Kept here rather than taken from Django's catalogs, which capitalise them ("Aprel", "Апрель")
# where Azerbaijani and Russian write them in lower case, and whose Russian day format adds
# "г.". A language missing here writes dates with Django's English-style "j F Y" and "F Y".
_AZ_MONTHS = (
    "yanvar", "fevral", "mart", "aprel", "may", "iyun",
    "iyul", "avqust", "sentyabr", "oktyabr", "noyabr", "dekabr",
)  # fmt: skip
MONTHS = {
    "az": (_AZ_MONTHS, _AZ_MONTHS),
    "ru": (
        (
            "января", "февраля", "марта", "апреля", "мая", "июня",
            "июля", "августа", "сентября", "октября", "ноября", "декабря",
        ),  # the genitive: 29 апреля 2024
        (
            "январь", "февраль", "март", "апрель", "май", "июнь",
            "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
        ),  # the nominative: апрель 2024
    ),
}  # fmt: skip


def write_date(value, *, with_day=True):
    """29 April 2024 / April 2024, in the active language: 29 aprel 2024, апрель 2024."""
    months = MONTHS.get(current_language())
    if months is None:
        return format_date(value, "j F Y" if with_day else "F Y")
    on_a_day, alone = months
    if with_day:
        return f"{value.day} {on_a_day[value.month - 1]} {value.year}"
    return f"{alone[value.month - 1]} {value.year}"


# --- Durations --------------------------------------------------------------------------------


def _held(n):
    return ngettext("Held for %(n)s day", "Held for %(n)s days", n)


def _in_custody_in_all(n):
    return ngettext("%(n)s day in custody in all", "%(n)s days in custody in all", n)


def _days(n):
    return ngettext("%(n)s day", "%(n)s days", n)


def _months(n):
    return ngettext("%(n)s month", "%(n)s months", n)


# Each a whole phrase, so that a language can inflect the words around the number too.
DURATIONS = {
    "held": _held,
    "in_custody_in_all": _in_custody_in_all,
    "days": _days,
    "months": _months,
}


def write_duration(n, kind="days"):
    """`n` days (or months) in the active language, with its plural form: 21 день, 5 дней."""
    return DURATIONS[kind](n) % {"n": number_format(n, force_grouping=True)}


# --- Names ------------------------------------------------------------------------------------

# The script each language writes people's names in: a page in Azerbaijani shows the
# Azerbaijani spelling first, a page in Russian a Cyrillic one (see DetaineeQuerySet).
NAME_SCRIPTS = {"az": "latin", "ru": "cyrillic"}


# --- The page in other languages --------------------------------------------------------------


def current_language():
    return (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]


def language_versions(request, *, error_page=False):
    """The current page in every language: for the switcher and the hreflang alternates.

    Each address keeps the query string (the listing's filters and page). An error page, or a
    page with one address for every language (the API's documentation), has no alternates,
    and its switcher leads to each language's home page.
    """
    here = None
    if not error_page:
        try:
            resolve(request.path_info)
            # request.GET, not the raw query string: on a cached public page it holds the
            # parameters the page reads, in their canonical order (cases.views.public_page).
            query = request.GET.urlencode()
            here = f"{request.path}?{query}" if query else request.path
        except Resolver404:
            pass
    addresses = {
        code: translate_url(here, code) if here else None for code in dict(settings.LANGUAGES)
    }
    per_language = len(set(addresses.values())) == len(addresses)
    current = current_language()
    versions = []
    for code, url in addresses.items():
        if not per_language:
            with translation.override(code):
                url = reverse("cases:home")
        choose = urlencode({"language": code, "next": url})
        versions.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "alternate": absolute_url(request, url) if per_language else "",
                "default": code == settings.LANGUAGE_CODE,
                "switch_url": f"{reverse('choose-language')}?{choose}",
                "current": code == current,
            }
        )
    return versions


# --- The visitor's language -------------------------------------------------------------------


def _from_accept_language(request):
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """After Django's LocaleMiddleware, for the addresses without a language prefix.

    - The API and the feed have one address for every language: they answer in the language
      of the client's Accept-Language header (LocaleMiddleware would always use English).
    - A page address without a prefix is the English page, unless the visitor chose another
      language with the switcher (the language cookie): then it redirects to that language's
      address. A prefix always wins, and search engines, which keep no cookies, always get the
      English page at the unprefixed address.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if translation.get_language_from_path(request.path_info):
            return self.get_response(request)
        if request.path_info.startswith(tuple(settings.LANGUAGE_NEGOTIATED_PATHS)):
            translation.activate(_from_accept_language(request))
            request.LANGUAGE_CODE = translation.get_language()
            return self.get_response(request)
        redirect = self._to_chosen_language(request)
        response = redirect or self.get_response(request)
        # What an unprefixed address answers depends on the cookie: tell HTTP caches.
        patch_vary_headers(response, ["Cookie"])
        return response

    def _to_chosen_language(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if request.method not in ("GET", "HEAD") or not chosen:
            return None
        try:
            chosen = translation.get_supported_language_variant(chosen)
        except LookupError:
            return None
        if chosen == settings.LANGUAGE_CODE:
            return None
        here = request.get_full_path()
        there = translate_url(here, chosen)
        return HttpResponseRedirect(there) if there != here else None
