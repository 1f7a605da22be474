"""Name matching for the region: one module turns a name into the keys every spelling shares.

Azerbaijani names reach the product in Azerbaijani Latin (Hüseynov), its ASCII and English
renderings (Huseynov), Russian Cyrillic (Гусейнов) and the Latin transliterations of that
Russian (Guseynov). PostgreSQL's unaccent does not fold "ə", and SQLite folds only ASCII case,
so names are folded here, in Python, on save into a search text both databases match with a
plain substring lookup, and a query is folded the same way. Used by the listing's and the API's
name search, the staff search, the duplicate checks and the import.

The rules, each with a regression test (tests/cases/test_names.py) and real pairs:
- case, accents, and letters without a decomposition: ə a, ı i, ö o, ü u, ş s, ç ch (İ, ø, ß);
- Cyrillic to Latin (Azerbaijani Cyrillic too), е after a vowel as ye (Алиев: aliyev), ю, ё and
  я after a consonant as ü, ö and ə (Гюльнара: Gülnarə, Шукюров: Şükürov, Нигяр: Nigar), дж as
  c (Джафаров);
- English digraphs: kh x, sh ş, ch ç, gh ğ, dzh c; English j and Azerbaijani c are one letter;
- ə, e and э are one letter, as a (Məmmədov, Mamedov, Mammadov);
- h, x, q, k, g and ğ are one letter: Russian writes г for h, q and g (Гусейнов, Гахраманов),
  х for x and h (Халилов, Ахмед), к for k and q (Казымов, Кулиев), English kh for x;
- kp is kb (Алекперов: Ələkbərov);
- y is i (ı, ы and the y of -ly: Kazymov, Mammadly), a y before e is dropped (Aliyev, Aliev;
  Abdullayev, Abdullaev), i before u after a consonant is dropped (Gyulnara);
- doubled letters are one (Mammadli, Mamedli);
- the surname suffixes -ov, -ova, -ev, -yev, -eva, -yeva may be there or not: a query word that
  ends in one also finds the name without it (Abdullaev finds Anar Abdulla).
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
_NOT_CONSONANTS = _CYRILLIC_VOWELS | set("ьъй")
# After a consonant, Russian ю, ё and я write the Azerbaijani ü, ö and ə (Гюльнара, Шукюров,
# Нигяр).
_AFTER_CONSONANT = {"ю": "ü", "ё": "ö", "я": "ə"}

# Letters with no Unicode decomposition, folded before accents are stripped.
_LATIN = str.maketrans(
    {"ə": "a", "Ə": "A", "ı": "i", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "œ": "oe",
     "Œ": "Oe", "ß": "ss", "đ": "d", "Đ": "D"}
)  # fmt: skip

# English renderings of Azerbaijani letters, folded to one letter each.
_DIGRAPHS = [("dzh", "c"), ("kh", "x"), ("ch", "ç"), ("sh", "ş"), ("gh", "ğ")]


def transliterate_cyrillic(text):
    """Cyrillic to Latin, writing "е" after a vowel as "ye" (Алиев -> aliyev), "ю", "ё" and "я"
    after a consonant as "ü", "ö" and "ə" (Гюльнара -> Gülnara, Нигяр -> Nigər)."""
    out = []
    previous = ""
    for char in text:
        lower = char.lower()
        if lower == "е" and (not previous or previous in _CYRILLIC_VOWELS):
            latin = "ye"
        elif lower in _AFTER_CONSONANT and previous and previous not in _NOT_CONSONANTS:
            latin = _AFTER_CONSONANT[lower]
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
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = text.replace("kp", "kb")
    # A glide y before e is written or not (Aliyev, Aliev); other y's are i (ı, ы, -ly).
    text = re.sub(r"y(?=e)", "", text).replace("y", "i")
    text = text.replace("e", "a")
    text = re.sub(r"[hxqk]", "g", text)
    # Gyulnara, Gülnarə: the i of a Russian ю after a consonant.
    text = re.sub(r"(?<=[bdfgjlmnrstvz])i(?=u)", "", text)
    # Doubled letters are a transliteration choice (Mammadli, Mamedli); doubled digits are not.
    text = re.sub(r"([a-z])\1+", r"\1", text)
    return text.strip()


# Surname suffixes after folding: -ov, -ova; -ev, -yev (av); -eva, -yeva (ava). Longest first.
_SUFFIX = re.compile(r"(ova|ava|ov|av)$")
ROOT_MARK = "="


def _root(word):
    """The word without a surname suffix and a final a (Abdullayev, Abdulla: abdul)."""
    root = _SUFFIX.sub("", word)
    root = root[:-1] if root.endswith("a") else root
    return root if len(root) >= 3 else None


def root_token(word):
    """The token a query word with a surname suffix also matches (Abdullaev: "=abdul"), or None
    for a word without one: "Abdulla" finds Abdullayev as a plain prefix already."""
    if not _SUFFIX.search(word):
        return None
    root = _root(word)
    return f"{ROOT_MARK}{root}" if root else None


def name_tokens(names):
    """Every token the names are found by: each spelling's folded words, then each word's root."""
    keys = dict.fromkeys(search_key(name) for name in names if name)
    keys.pop("", None)
    roots = dict.fromkeys(_root(word) for key in keys for word in key.split())
    roots.pop(None, None)
    return list(keys), [f"{ROOT_MARK}{root}" for root in roots]


def search_text(names):
    """The stored search text of a person with these spellings (`Detainee.search_text`):
    "anar abdula | анар... | =anar =abdul ", the spellings' keys and then the root tokens, each
    followed by a space so that a root is matched whole."""
    keys, roots = name_tokens(names)
    if not keys:
        return ""
    return " | ".join(keys) + " | " + "".join(f"{root} " for root in roots)


def name_condition(query, field="search_text"):
    """A Q for the people whose names match `query`, or None for an empty one: every word of
    the query is in some spelling (anywhere in a word), or, for a word with a surname suffix,
    its root is a whole root of the name."""
    from django.db.models import Q

    words = search_key(query).split()
    if not words:
        return None
    conditions = []
    for word in words:
        condition = Q(**{f"{field}__contains": word})
        root = root_token(word)
        if root:
            condition |= Q(**{f"{field}__contains": f"{root} "})
        conditions.append(condition)
    return Q(*conditions)


def query_tokens(word):
    """The whole tokens a folded word is found by, for matching whole words in memory (the
    import's duplicate checks): the word, or its root, so that Abdulla and Abdullayev find each
    other either way round."""
    root = _root(word)
    return [word, f"{ROOT_MARK}{root}"] if root else [word]


# Words that do not tell two vocabulary terms apart: "Baku Court on Grave Crimes" and "Baku Grave
# Crimes Court" are one court. Folded like everything else (search_key("the") == "tha").
_TERM_STOPWORDS = {
    search_key(word)
    for word in ["the", "of", "on", "for", "in", "and", "at", "və", "и", "по", "на", "в", "для"]
}


def term_words(text):
    """A vocabulary term's folded words, without the small ones."""
    return [w for w in search_key(text).split() if w not in _TERM_STOPWORDS]


def term_keys(text):
    """The keys a vocabulary term (a court, an organization, an occupation, a place of detention)
    is matched by in an import: its folded words without the small ones, run together as
    written and in sorted order, so that spacing and word order do not matter ("AbzasMedia" is
    "Abzas Media"; "Baku Grave Crimes Court" is "Baku Court on Grave Crimes"; "human rights
    defender" is "human-rights defender")."""
    words = term_words(text)
    return list(dict.fromkeys(["".join(words), "".join(sorted(words))])) if words else []


def ascii_name(text):
    """A readable ASCII rendering for slugs: Anar Məmmədli -> Anar Mammadli."""
    return (
        _strip_accents(transliterate_cyrillic(text).translate(_LATIN))
        .encode("ascii", "ignore")
        .decode()
    )


def slug_for(text, max_length=80):
    return slugify(ascii_name(text))[:max_length].strip("-")
