"""Paper sizes by country: CLDR's paper-size preference, which Babel does not expose."""
from __future__ import annotations

from types import MappingProxyType
from reportlab.lib.pagesizes import A4, LETTER

# CLDR supplemental measurementData/paperSize: these territories use US Letter.
LETTER_COUNTRIES = frozenset(
    "US CA MX PH PR CL CO VE CR GT NI PA SV BZ".split())

PAGE_SIZES = MappingProxyType({"letter": LETTER, "a4": A4})


def paper_for_country(country: str) -> str:
    """The paper a clinic in `country` prints on.

    >>> paper_for_country("US"), paper_for_country("GB")
    ('letter', 'a4')
    """
    return "letter" if country.upper() in LETTER_COUNTRIES else "a4"
