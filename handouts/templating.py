"""Templating stage: a handout template + translations + formatted job values -> markup.

Jinja2 runs sandboxed, with autoescape and StrictUndefined, so patient values are always
data (`<b>`, `{{ 7*7 }}` print literally) and a missing value is an error, not a blank.
A ChoiceLoader looks in a clinic's own template folder first, then in `templates/`.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from .errors import TemplateError
from .i18n import LocaleBundle
from .input_files import key_line, toml_error_line
from .resources import TEMPLATES_DIR, relative

#: Options shared by the runtime and by string extraction (babel.cfg); they must agree.
JINJA_OPTIONS = dict(trim_blocks=False, lstrip_blocks=False)
I18N_TRIMMED = True


@dataclass(frozen=True)
class HandoutMeta:
    """templates/<handout>/meta.toml: what every printed copy says about its content."""
    id: str
    version: str
    review_date: str
    sources: tuple[str, ...]


@lru_cache(maxsize=None)
def load_meta(handout: str, templates_dir: Path = TEMPLATES_DIR) -> HandoutMeta:
    path = templates_dir / handout / "meta.toml"
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise TemplateError(f"unknown handout {handout!r}", source=str(path),
                            hint="handouts live in templates/<name>/meta.toml") from None
    return HandoutMeta(id=handout, version=str(data["version"]),
                       review_date=str(data["review_date"]),
                       sources=tuple(data.get("sources", ())))


@lru_cache(maxsize=None)
def load_support_lines(handout: str, templates_dir: Path = TEMPLATES_DIR):
    """The handout's support lines, each checked as a brand's are (a number, its hours,
    languages and the date it was last verified); a problem names the file and line."""
    from .brand import support_line_from_mapping
    from .errors import BrandError
    path = templates_dir / handout / "support_lines.toml"
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


@lru_cache(maxsize=None)
def environment(bundle: LocaleBundle, search_path: tuple[Path, ...] = (TEMPLATES_DIR,)
                ) -> SandboxedEnvironment:
    """One sandboxed environment per locale and template search path, cached."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(p)) for p in search_path])
    env = SandboxedEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                               extensions=["jinja2.ext.i18n"], **JINJA_OPTIONS)
    env.policies["ext.i18n.trimmed"] = I18N_TRIMMED
    env.install_gettext_translations(bundle.translations, newstyle=True)
    env.globals["gettext"] = _remembering(env.globals["gettext"])
    return env


def _remembering(gettext):
    """Jinja's new-style gettext, remembering its result for strings without variables:
    a handout prints some sixty fixed strings, each looked up, marked safe and
    %-formatted (with nothing) for every patient. The result depends only on the string
    and on whether autoescaping is on (the environment is per locale), so it is the same
    Markup every time; strings with variables go through as before."""
    results: dict = {}

    @jinja2.pass_context
    def remembering_gettext(__context, __string, **variables):
        if variables:
            return gettext(__context, __string, **variables)
        key = (__string, __context.eval_ctx.autoescape)
        result = results.get(key)
        if result is None:
            result = results[key] = gettext(__context, __string)
        return result

    return remembering_gettext


def render_markup(handout: str, bundle: LocaleBundle, context: dict,
                  overrides: tuple[Path, ...] = ()) -> str:
    """The handout's markup for one patient, in one language."""
    env = environment(bundle, tuple(overrides) + (TEMPLATES_DIR,))
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
