"""Pseudo-locales: the English catalog template rewritten so that untranslated text and
layouts too tight for longer languages stand out in a rendered handout.

Letters are rewritten by translate-toolkit's podebug into accented look-alikes (ar-XB
lays the same text out right to left); placeholders and markup tags are kept as they are,
and each string is lengthened by about 40%, as German or Russian text often is.
"""
from __future__ import annotations

import math
import re

from babel.messages.catalog import Catalog
from translate.tools.podebug import podebug

# Placeholders (%(name)s) and markup tags (<b>, </phone>, <page-number/>) are never rewritten.
PROTECTED = re.compile(r"%\(\w+\)s|</?[\w-]+/?>")
LENGTHEN = 0.4


def pseudo_text(text: str, rewrite: str) -> str:
    """
    >>> pseudo_text("Call <b>%(phone)s</b> now.", "unicode")
    '[Ƈȧŀŀ <b>%(phone)s</b> ƞǿẇ.····]'
    """
    rewriter = podebug(rewritestyle=rewrite)
    parts, position = [], 0
    for protected in PROTECTED.finditer(text):
        parts.append(_rewrite(rewriter, rewrite, text[position:protected.start()]))
        parts.append(protected.group())
        position = protected.end()
    parts.append(_rewrite(rewriter, rewrite, text[position:]))
    letters = len(PROTECTED.sub("", text))
    return "[" + "".join(parts) + "·" * math.ceil(letters * LENGTHEN) + "]"


def _rewrite(rewriter, style: str, segment: str) -> str:
    if not segment:
        return segment
    return str(getattr(rewriter, f"rewrite_{style}")(segment))


def pseudo_catalog(template: Catalog, rewrite: str) -> Catalog:
    catalog = Catalog(locale="en", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            string = tuple(pseudo_text(form, rewrite) for form in message.id)
        else:
            string = pseudo_text(message.id, rewrite)
        catalog.add(message.id, string, flags=message.flags - {"fuzzy"})
    return catalog
