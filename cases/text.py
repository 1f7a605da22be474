"""Name folding for search and slugs.

PostgreSQL's unaccent does not fold "ə", and SQLite only folds ASCII case, so names are folded
in Python on save into a search key that both databases can match with a plain substring
lookup. The key ignores case, accents, Latin versus Cyrillic script and the common
transliteration variants of Azerbaijani names (ə/a/e, q/g, x/kh, ç/ch, ş/sh, ğ/gh, ı/i, ü/u,
ö/o, c/j), and doubled letters (Mammadli, Мамедли).
"""

import re
import unicodedata

from django.utils.text import slugify

# Russian and Azerbaijani Cyrillic to a Latin spelling close to the Azerbaijani one.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts",
    "ч": "ç", "ш": "ş", "щ": "şç", "ъ": "", "ы": "ı", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ә": "ə", "ғ": "ğ", "ҝ": "g", "һ": "h", "ҹ": "c", "ј": "y", "ө": "ö",
    "ү": "ü", "қ": "q", "ң": "n", "і": "i", "ї": "yi", "є": "ye", "ў": "u",
}  # fmt: skip
_CYRILLIC_VOWELS = set("аеёиоуыэюяәөүі")

# Letters with no Unicode decomposition, folded before accents are stripped.
_LATIN = str.maketrans(
    {"ə": "a", "Ə": "A", "ı": "i", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe",
     "Œ": "Oe", "ß": "ss", "đ": "d", "Đ": "D"}
)  # fmt: skip

# English renderings of Azerbaijani letters, folded to one letter each.
_DIGRAPHS = [("dzh", "c"), ("kh", "x"), ("ch", "ç"), ("sh", "ş"), ("gh", "ğ")]


def transliterate_cyrillic(text):
    """Cyrillic to Latin, writing "е" after a vowel as "ye" (Алиев -> aliyev)."""
    out = []
    previous = ""
    for char in text:
        lower = char.lower()
        if lower == "е" and (not previous or previous in _CYRILLIC_VOWELS):
            latin = "ye"
        else:
            latin = _CYRILLIC.get(lower, char)
        if char != lower and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
        previous = lower if lower.isalpha() else ""
    return "".join(out).replace("dj", "c").replace("Dj", "C")


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_key(text):
    """Fold a name (or a query) to the key that every spelling of it shares.

    >>> search_key("Məmmədli") == search_key("MAMMADLI") == search_key("Мамедли")
    True
    """
    text = transliterate_cyrillic(text.casefold())
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    # Azerbaijani c sounds like English j: fold both before ç becomes c below.
    text = text.replace("c", "j")
    text = _strip_accents(text.translate(_LATIN))
    text = text.replace("q", "g").replace("e", "a")
    # A glide y beside i is spelled or dropped at will (Ismayilova, Исмаилова; Aliyev, Aliev).
    text = text.replace("yi", "i").replace("iy", "i")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    # Doubled letters are a transliteration choice (Mammadli, Mamedli); doubled digits are not.
    text = re.sub(r"([a-z])\1+", r"\1", text)
    return text.strip()


def ascii_name(text):
    """A readable ASCII rendering for slugs: Anar Məmmədli -> Anar Mammadli."""
    return (
        _strip_accents(transliterate_cyrillic(text).translate(_LATIN))
        .encode("ascii", "ignore")
        .decode()
    )


def slug_for(text, max_length=80):
    return slugify(ascii_name(text))[:max_length].strip("-")
