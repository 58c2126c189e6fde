"""Templating stage: a handout template + translations + formatted job values -> markup.

Jinja2 runs sandboxed, with autoescape and StrictUndefined, so patient values are always
data (`<b>`, `{{ 7*7 }}` print literally) and a missing value is an error, not a blank.
The library's SourceLoader looks in a clinic's own template folders first, then in
`templates/`, and keeps what it read by content.
"""
from __future__ import annotations

from types import MappingProxyType
import difflib
import hashlib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import formats
from .errors import TemplateError
from .i18n import LocaleBundle
from .input_files import UnusableFile, key_line, read_bounded, read_toml
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


#: The keys of meta.toml; any other is a mistake (a misspelt key would be ignored).
META_KEYS = ("version", "review_date", "sources")
MAX_FILE_BYTES = 1_000_000


def _read_toml(path: Path, where: str) -> tuple[str, dict]:
    """A handout file's text and data; any problem is a TemplateError naming the file."""
    try:
        return read_toml(path, where, MAX_FILE_BYTES, TemplateError)
    except FileNotFoundError:       # removed since it was found
        raise TemplateError("cannot be read: it is gone", source=where,
                            hint="put the file back") from None


def read_meta(folder: Path) -> HandoutMeta:
    """<handout folder>/meta.toml: a problem names the file, line and key."""
    handout = folder.name
    path = folder / "meta.toml"
    where = relative(path, TEMPLATES_DIR.parent)
    if not os.path.lexists(path):
        raise TemplateError(f"unknown handout {handout!r}", source=where,
                            hint="handouts live in templates/<name>/meta.toml")
    text, data = _read_toml(path, where)
    for key in data:
        if key not in META_KEYS:
            close = difflib.get_close_matches(key, META_KEYS, n=1)
            raise TemplateError(f"unknown key {key!r}", source=where, line=key_line(text, key),
                                field=key, hint=(f"did you mean {close[0]}?" if close else
                                                 "the keys are: " + ", ".join(META_KEYS)))
    for key in ("version", "review_date"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise TemplateError("is required, as text in quotes", source=where, field=key,
                                hint=f'add {key} = "..." (see the comments in the file)')
    try:
        date.fromisoformat(data["review_date"])
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["review_date"]):
            raise ValueError
    except ValueError:
        raise TemplateError("is not a date", source=where, line=key_line(text, "review_date"),
                            field="review_date", hint='write it as YYYY-MM-DD, e.g. '
                                                      'review_date = "2026-11-20"') from None
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
    if not os.path.lexists(path):
        return ()
    where = relative(path, TEMPLATES_DIR.parent)
    text, data = _read_toml(path, where)
    unknown = sorted(set(data) - {"line"})
    if unknown:
        raise TemplateError(f"unknown table {unknown[0]!r}", source=where, field=unknown[0],
                            hint="each support line is a [[line]] table")
    rows = data.get("line", [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TemplateError("must be [[line]] tables", source=where, field="line",
                            hint="start each support line with [[line]]")
    try:
        return tuple(support_line_from_mapping(row, where=where, field=f"line[{n}]")
                     for n, row in enumerate(rows, start=1))
    except BrandError as error:
        raise error.located(line=key_line(text, error.field)) from None


class SourceLoader(jinja2.BaseLoader):
    """Templates from the first folder of the search path that has them (a clinic's
    folders before the built-in one), kept by content: while watching, a compiled
    template is used again only while the file's content fingerprint is the same (an
    edit within one tick of the file system's clock included, which Jinja's own mtime
    check misses); when not watching, each file is read once for the whole library, so
    every environment (one per language) and every handout of a batch prints the same
    version. `sources` is the library's table of what was read."""

    def __init__(self, search_path: tuple[Path, ...], fingerprints, sources, watch: bool):
        self.search_path = search_path
        self.fingerprints = fingerprints
        self.sources = sources
        self.watch = watch

    def find(self, template: str) -> Path | None:
        """The file a template name stands for: the first folder that has it."""
        pieces = jinja2.loaders.split_template_path(template)   # refuses "..", like Jinja
        return next((folder.joinpath(*pieces) for folder in self.search_path
                     if os.path.lexists(folder.joinpath(*pieces))), None)

    def get_source(self, environment, template: str):
        path = self.find(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        if not self.watch:
            source = self.sources.get_or_make(path, lambda _: _read_template(path))
            return source, str(path), lambda: True
        source = _read_template(path)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        # Up to date while the same file is found (an override added in an earlier
        # folder takes over) and its content is the same.
        return (source, str(path),
                lambda: self.find(template) == path and self.fingerprints.one(path) == digest)


def _read_template(path: Path) -> str:
    where = relative(path, TEMPLATES_DIR.parent)
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        return data.decode("utf-8")
    except UnusableFile as exc:
        raise TemplateError(exc.message, source=where, hint=exc.hint) from None
    except UnicodeDecodeError:
        raise TemplateError("is not UTF-8 text", source=where,
                            hint="save the template as UTF-8") from None
    except OSError as exc:
        raise TemplateError(f"cannot be read: {exc.strerror or exc}", source=where,
                            hint="make it a readable file") from None


def environment(bundle: LocaleBundle, loader: SourceLoader) -> SandboxedEnvironment:
    """A sandboxed environment for one locale (the Library keeps one per bundle)."""
    env = SandboxedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               extensions=["jinja2.ext.i18n"], auto_reload=loader.watch,
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


def load_template(env: SandboxedEnvironment, handout: str):
    """The handout's compiled template; any problem is a TemplateError naming the file."""
    return _template_errors(lambda: env.get_template(f"{handout}/handout.xml.j2"), env,
                            handout)


def render_markup(env: SandboxedEnvironment, handout: str, context: dict) -> tuple[str, str]:
    """The handout's markup for one patient, in one language (env's), and the template
    file it came from (as messages name it)."""
    template = load_template(env, handout)
    return (_template_errors(lambda: template.render(context), env, handout),
            relative(Path(template.filename)))


def _template_errors(action, env: SandboxedEnvironment, handout: str):
    name = f"{handout}/handout.xml.j2"
    try:
        return action()
    except jinja2.TemplateNotFound:
        raise TemplateError(f"no template {name} in "
                            + ", ".join(relative(p) for p in env.loader.search_path),
                            field="handout", hint="add handout.xml.j2 to the handout's "
                                                  "folder") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(exc.message or "syntax error",
                            source=relative(Path(exc.filename)) if exc.filename else name,
                            line=exc.lineno, hint="fix the template syntax") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(str(exc), source=name,
                            hint="the template uses a value the renderer does not give") from None
