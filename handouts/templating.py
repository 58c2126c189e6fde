"""Templating stage: a handout template + translations + formatted job values -> markup.

Jinja2 runs sandboxed, with autoescape and StrictUndefined, so patient values are always
data (`<b>`, `{{ 7*7 }}` print literally) and a missing value is an error, not a blank.
A ChoiceLoader looks in a clinic's own template folder first, then in `templates/`.
"""
from __future__ import annotations

from types import MappingProxyType
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import formats
from .errors import TemplateError
from .i18n import LocaleBundle
from .input_files import key_line, toml_error_line
from .resources import TEMPLATES_DIR, relative

#: The context key holding the Babel locale a render's numbers are written for.
FORMATTING_LOCALE = "formatting_locale"

#: Options shared by the runtime and by string extraction (babel.cfg); they must agree.
JINJA_OPTIONS = MappingProxyType(dict(trim_blocks=False, lstrip_blocks=False))
I18N_TRIMMED = True


@dataclass(frozen=True)
class HandoutMeta:
    """templates/<handout>/meta.toml: what every printed copy says about its content."""
    id: str
    version: str
    review_date: str
    sources: tuple[str, ...]


def read_meta(folder: Path) -> HandoutMeta:
    """<handout folder>/meta.toml: a problem names the file, line and key."""
    handout = folder.name
    path = folder / "meta.toml"
    where = relative(path, TEMPLATES_DIR.parent)
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise TemplateError(f"unknown handout {handout!r}", source=str(path),
                            hint="handouts live in templates/<name>/meta.toml") from None
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"is not valid TOML: {exc}", source=where, line=toml_error_line(exc),
                            hint="see https://toml.io for the syntax") from None
    for key in ("version", "review_date"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise TemplateError("is required, as text in quotes", source=where, field=key,
                                hint=f'add {key} = "..." (see the comments in the file)')
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise TemplateError("must be a list of texts", source=where, field="sources",
                            hint='write sources = ["...", "..."]')
    return HandoutMeta(id=handout, version=data["version"], review_date=data["review_date"],
                       sources=tuple(sources))


def read_support_lines(folder: Path) -> tuple:
    """The handout's support lines (<handout folder>/support_lines.toml, if it has one),
    each checked as a brand's are (a number, its hours, languages and the date it was
    last verified); a problem names the file and line."""
    from .brand import support_line_from_mapping
    from .errors import BrandError
    path = folder / "support_lines.toml"
    if not path.exists():
        return ()
    where = relative(path, TEMPLATES_DIR.parent)
    text = path.read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"is not valid TOML: {exc}", source=where, line=toml_error_line(exc),
                            hint="see https://toml.io for the syntax") from None
    unknown = sorted(set(data) - {"line"})
    if unknown:
        raise TemplateError(f"unknown table {unknown[0]!r}", source=where, field=unknown[0],
                            hint="each support line is a [[line]] table")
    try:
        return tuple(support_line_from_mapping(row, where=where, field=f"line[{n}]")
                     for n, row in enumerate(data.get("line", []), start=1))
    except BrandError as error:
        raise error.located(line=key_line(text, error.field)) from None


def environment(bundle: LocaleBundle, search_path: tuple[Path, ...], *,
                auto_reload: bool = True) -> SandboxedEnvironment:
    """A sandboxed environment for one locale and template search path (the Library
    keeps one per bundle). Jinja compares a template's modification time at each
    get_template while `auto_reload` is on."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(p)) for p in search_path])
    env = SandboxedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               extensions=["jinja2.ext.i18n"], auto_reload=auto_reload,
                               **JINJA_OPTIONS)
    env.policies["ext.i18n.trimmed"] = I18N_TRIMMED
    # The extension's own switch (what install_gettext_callables(newstyle=True) sets):
    # {% trans %} then passes its placeholders to our callables to fill in.
    env.newstyle_gettext = True
    env.globals.update(translating_callables(bundle))
    return env


def translating_callables(bundle: LocaleBundle) -> dict:
    """Jinja's new-style gettext and ngettext for one locale: the translation, with its
    placeholders filled in. Two things happen where a value meets translated text:

    - a whole number (`count`) is written by Babel for the render's formatting locale
      (context[FORMATTING_LOCALE]: the language in the clinic's country), not by str();
    - a value ending in an abbreviation's period (Russian dates end in "г.") takes the
      place of the sentence's own period after it, closing tags between them allowed,
      so no ".." is printed.

    Strings without placeholders are the same Markup every time, so they are remembered
    (a handout prints some sixty fixed strings for every patient)."""
    translations = bundle.translations
    fixed: dict = {}

    def finish(context, text: str, variables: dict):
        if context.eval_ctx.autoescape:
            text = Markup(text)
        for name, value in variables.items():
            if isinstance(value, int) and not isinstance(value, bool):
                variables[name] = formats.number(value, context[FORMATTING_LOCALE])
            elif _TAGS.sub("", str(value)).endswith("."):
                trimmed = re.sub(r"(%%\(%s\)s(?:</[a-z-]+>)*)\.(?!\.)" % re.escape(name),
                                 lambda found: found.group(1), text)
                text = Markup(trimmed) if isinstance(text, Markup) else trimmed
        return text % variables

    @jinja2.pass_context
    def gettext(__context, __string, **variables):
        if variables:
            return finish(__context, translations.gettext(__string), variables)
        key = (__string, __context.eval_ctx.autoescape)
        if key not in fixed:
            fixed[key] = finish(__context, translations.gettext(__string), {})
        return fixed[key]

    @jinja2.pass_context
    def ngettext(__context, __singular, __plural, __num, **variables):
        variables.setdefault("num", __num)
        return finish(__context, translations.ngettext(__singular, __plural, __num),
                      variables)

    return {"gettext": gettext, "ngettext": ngettext}


_TAGS = re.compile(r"<[^>]*>")


def render_markup(env: SandboxedEnvironment, handout: str, context: dict) -> str:
    """The handout's markup for one patient, in one language (env's)."""
    name = f"{handout}/handout.xml.j2"
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"no template {name}", source=str(TEMPLATES_DIR / name),
                            hint="check the handout name") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error", source=exc.filename or name,
                            line=exc.lineno, hint="fix the template syntax") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(str(exc), source=name,
                            hint="the template uses a value the renderer does not give") from None
