"""Text helpers: search keys that ignore case and diacritics, transliteration, and the site
language a language code names."""

import re
import unicodedata

from django.conf import settings

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_SPACES = re.compile(r"\s+")
# Letters that do not decompose into a base letter plus a mark.
_EXTRA_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ґ": "г", "Ґ": "г"})


def search_key(text: str) -> str:
    """Lower-case, strip diacritics, unify apostrophes and spaces: "Łódź" -> "lodz", "Їжак" -> "іжак"."""
    text = text.translate(_EXTRA_FOLD).translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip().casefold()


# Official Ukrainian-to-Latin transliteration (Cabinet of Ministers resolution No. 55, 2010).
_UK_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "ie",
    "ж": "zh",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ь": "",
    "ю": "iu",
    "я": "ia",
    "'": "",
    "’": "",
    "ʼ": "",
}
# At the start of a word these letters are written differently.
_UK_LATIN_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Ukrainian to Polish spelling, as Polish writers transliterate Ukrainian names.
_UK_POLISH = {
    "а": "a",
    "б": "b",
    "в": "w",
    "г": "h",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "є": "je",
    "ж": "ż",
    "з": "z",
    "и": "y",
    "і": "i",
    "ї": "ji",
    "й": "j",
    "к": "k",
    "л": "ł",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "ch",
    "ц": "c",
    "ч": "cz",
    "ш": "sz",
    "щ": "szcz",
    "ь": "",
    "ю": "ju",
    "я": "ja",
    "'": "",
    "’": "",
    "ʼ": "",
}

# Polish to Ukrainian Cyrillic, enough for place names.
_PL_UKRAINIAN = [
    ("szcz", "щ"),
    ("ch", "х"),
    ("cz", "ч"),
    ("sz", "ш"),
    ("rz", "ж"),
    ("dz", "дз"),
    ("ie", "є"),
    ("ia", "я"),
    ("iu", "ю"),
    ("io", "ьо"),
    ("ą", "он"),
    ("ę", "ен"),
    ("a", "а"),
    ("b", "б"),
    ("c", "ц"),
    ("ć", "ць"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "г"),
    ("i", "і"),
    ("j", "й"),
    ("k", "к"),
    ("la", "ля"),
    ("le", "ле"),
    ("li", "лі"),
    ("lo", "льо"),
    ("lu", "лю"),
    ("l", "ль"),
    ("ł", "л"),
    ("m", "м"),
    ("n", "н"),
    ("ń", "нь"),
    ("o", "о"),
    ("ó", "у"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("ś", "сь"),
    ("t", "т"),
    ("u", "у"),
    ("w", "в"),
    ("y", "и"),
    ("z", "з"),
    ("ź", "зь"),
    ("ż", "ж"),
]


def _map_word(word: str, table: dict[str, str], initial: dict[str, str]) -> str:
    out = []
    for i, ch in enumerate(word):
        lower = ch.lower()
        mapped = initial[lower] if i == 0 and lower in initial else table.get(lower, ch)
        if ch != lower and mapped:
            mapped = mapped[0].upper() + mapped[1:]
        out.append(mapped)
    return "".join(out)


def _map_words(text: str, table: dict[str, str], initial: dict[str, str]) -> str:
    text = text.replace("зг", "zgh").replace("Зг", "Zgh") if table is _UK_LATIN else text
    return re.sub(
        r"[^\W\d_]+['’ʼ]?[^\W\d_]*", lambda m: _map_word(m.group(0), table, initial), text
    )


def uk_to_latin(text: str) -> str:
    """Ukrainian in the official Latin transliteration: "Вінниця" -> "Vinnytsia"."""
    return _map_words(text, _UK_LATIN, _UK_LATIN_INITIAL)


def uk_to_polish(text: str) -> str:
    """Ukrainian in Polish spelling: "Жмеринка" -> "Żmerynka"."""
    return _map_words(text, _UK_POLISH, {"є": "je", "ї": "ji", "ю": "ju", "я": "ja"})


def pl_to_ukrainian(text: str) -> str:
    """Polish in Ukrainian Cyrillic, good enough for a place name: "Konin" -> "Конін"."""

    def word(match: re.Match[str]) -> str:
        w = match.group(0)
        lower, out, i = w.lower(), [], 0
        while i < len(lower):
            for src, dst in _PL_UKRAINIAN:
                if lower.startswith(src, i):
                    out.append(dst)
                    i += len(src)
                    break
            else:
                out.append(lower[i])
                i += 1
        result = "".join(out)
        return result[:1].upper() + result[1:] if w[:1].isupper() else result

    return re.sub(r"[^\W\d_]+", word, text)


def site_language(code: str | None) -> str | None:
    """The site language (one of LANGUAGES) that `code` names, a regional variant counting as
    its language ("pl-PL", "pl_PL" and "PL" are "pl"), or None."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in {language for language, _name in settings.LANGUAGES} else None
