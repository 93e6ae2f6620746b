"""Where a family lives: a postcode or suburb, resolved to postcode and local government area(s).

A small reference list for the Ballarat region (an indicative list, not a gazetteer). A postcode can
span several councils (3352 does); a suburb names one. An unknown postcode is still usable: postcode
catchments are checked, council catchments cannot be and the result says so.
"""

import re
from dataclasses import dataclass, field

BALLARAT = "City of Ballarat"
GOLDEN_PLAINS = "Golden Plains Shire"
HEPBURN = "Hepburn Shire"
MOORABOOL = "Moorabool Shire"
PYRENEES = "Pyrenees Shire"

LGAS = [BALLARAT, GOLDEN_PLAINS, HEPBURN, MOORABOOL, PYRENEES]

# (suburb, postcode, local government area)
SUBURBS = [
    ("Alfredton", "3350", BALLARAT),
    ("Bakery Hill", "3350", BALLARAT),
    ("Ballarat Central", "3350", BALLARAT),
    ("Ballarat East", "3350", BALLARAT),
    ("Ballarat North", "3350", BALLARAT),
    ("Black Hill", "3350", BALLARAT),
    ("Brown Hill", "3350", BALLARAT),
    ("Canadian", "3350", BALLARAT),
    ("Eureka", "3350", BALLARAT),
    ("Golden Point", "3350", BALLARAT),
    ("Invermay Park", "3350", BALLARAT),
    ("Lake Wendouree", "3350", BALLARAT),
    ("Lucas", "3350", BALLARAT),
    ("Mount Clear", "3350", BALLARAT),
    ("Mount Helen", "3350", BALLARAT),
    ("Mount Pleasant", "3350", BALLARAT),
    ("Newington", "3350", BALLARAT),
    ("Redan", "3350", BALLARAT),
    ("Soldiers Hill", "3350", BALLARAT),
    ("Haddon", "3351", GOLDEN_PLAINS),
    ("Smythesdale", "3351", GOLDEN_PLAINS),
    ("Scarsdale", "3351", GOLDEN_PLAINS),
    ("Snake Valley", "3351", PYRENEES),
    ("Cardigan", "3352", BALLARAT),
    ("Invermay", "3352", BALLARAT),
    ("Learmonth", "3352", BALLARAT),
    ("Miners Rest", "3352", BALLARAT),
    ("Dunnstown", "3352", MOORABOOL),
    ("Lal Lal", "3352", MOORABOOL),
    ("Warrenheip", "3352", MOORABOOL),
    ("Ballarat", "3353", BALLARAT),
    ("Ballarat MC", "3354", BALLARAT),
    ("Lake Gardens", "3355", BALLARAT),
    ("Mitchell Park", "3355", BALLARAT),
    ("Wendouree", "3355", BALLARAT),
    ("Bonshaw", "3356", BALLARAT),
    ("Delacombe", "3356", BALLARAT),
    ("Sebastopol", "3356", BALLARAT),
    ("Buninyong", "3357", BALLARAT),
    ("Scotsburn", "3357", GOLDEN_PLAINS),
    ("Creswick", "3363", HEPBURN),
    ("Clunes", "3370", HEPBURN),
    ("Daylesford", "3460", HEPBURN),
    ("Hepburn Springs", "3461", HEPBURN),
    ("Bannockburn", "3331", GOLDEN_PLAINS),
    ("Ballan", "3342", MOORABOOL),
    ("Bacchus Marsh", "3340", MOORABOOL),
]

POSTCODE_RE = re.compile(r"\b(\d{4})\b")


def _key(text: str) -> str:
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


_BY_SUBURB = {_key(name): (name, postcode, lga) for name, postcode, lga in SUBURBS}
_LGAS_BY_POSTCODE: dict[str, set[str]] = {}
for _name, _postcode, _lga in SUBURBS:
    _LGAS_BY_POSTCODE.setdefault(_postcode, set()).add(_lga)


@dataclass(frozen=True)
class Place:
    """What we know of where the family lives. Empty when nothing was given."""

    text: str = ""
    postcode: str = ""
    suburb: str = ""
    lgas: frozenset[str] = field(default_factory=frozenset)

    @property
    def given(self) -> bool:
        return bool(self.postcode or self.suburb or self.text)

    @property
    def known(self) -> bool:
        return bool(self.postcode or self.lgas)

    @property
    def spans_councils(self) -> bool:
        return len(self.lgas) > 1

    def __str__(self) -> str:
        if self.suburb:
            return f"{self.suburb} {self.postcode}".strip()
        return self.postcode or self.text


def resolve_place(text: str | None) -> Place:
    """ "3350", "Sebastopol", "Sebastopol 3356" or "sebastopol vic" → a Place (unknown text stays as text)."""
    text = (text or "").strip()[:100]
    if not text:
        return Place()
    match = POSTCODE_RE.search(text)
    postcode = match.group(1) if match else ""
    words = _key(POSTCODE_RE.sub(" ", text).replace("VIC", " ").replace("Vic", " "))
    words = re.sub(r"\bvic(toria)?\b", " ", words).strip()
    suburb = _BY_SUBURB.get(words) if words else None
    if suburb and (not postcode or postcode == suburb[1]):
        name, postcode, lga = suburb
        return Place(text=text, postcode=postcode, suburb=name, lgas=frozenset({lga}))
    if postcode:
        return Place(text=text, postcode=postcode, lgas=frozenset(_LGAS_BY_POSTCODE.get(postcode, set())))
    return Place(text=text)


def lgas_for_postcode(postcode: str) -> set[str]:
    return set(_LGAS_BY_POSTCODE.get(postcode, set()))


def normalise_lga(name: str) -> str:
    """A council name as we store it: the known spelling when it matches one, else the text tidied."""
    tidy = " ".join((name or "").split())
    for lga in LGAS:
        if _key(lga) == _key(tidy):
            return lga
    return tidy
