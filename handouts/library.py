"""The resource library: everything a render reads, loaded once and passed in explicitly.

A `Library` holds the fonts and their subsets, the catalogs of every handout (through
the gate of `locales check`), the templates, the handout definitions (meta, fields,
support lines), brands and their logos, and the caches of what is made from them
(laid-out paragraphs, parsed blocks, recorded drawings, formatting locales). Rendering
takes it explicitly: `library.render(job)`, or `render(job, library)` in render.py. The
CLI, a batch, a web app and the tests each build one and share it between threads; what
it hands out is frozen, and it is thread-safe. What is made from the files is kept in
caches bounded by count or bytes; tables keyed by the files, languages or catalog
domains themselves (fingerprints, loaded faces, checked characters) grow only with them.

Reload by content: with `watch` on (the default) every file a render uses is checked
against its content fingerprint at each use (a stat, and a SHA-256 only when the stat
changed or the file changed in the last seconds), so an edited catalog, review file,
template, meta, fields, support-lines or brand file is used at the next render, and one
that now fails its check refuses only what depends on it. A render takes each of them
from the library once. With `watch` off (a batch) the first version read stays for the
library's life; a batch reads every file it needs before it forks its workers, so all
its handouts are made from the same versions (a worker started by spawn, where fork is
missing, builds its library afresh and reads the files as they are then).
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import formats, resources
from .caches import Fingerprints, ForkSafeLock, LRUCache, by_content
from .drawings import Drawings
from .errors import TemplateError
from .i18n import DOMAIN, Catalogs, LocaleBundle
from .resources import FONTS_DIR, TEMPLATES_DIR, relative
from .templating import (HandoutMeta, SourceLoader, environment, read_meta,
                         read_support_lines)
from .text import FontLibrary, Typesetter

#: How many things of each kind a library keeps (the least recently used goes first).
HANDOUTS, BRANDS, ENVIRONMENTS, FORMATTING_LOCALES, CONTEXTS, BLOCKS = 64, 64, 64, 256, 64, 4096
TEMPLATES = 256


@dataclass(frozen=True)
class Handout:
    """One handout as loaded: its folder, what every copy says about its content (meta),
    the per-visit fields it asks for, its support lines, and its catalogs (a folder with
    its own locales/ folder has its own catalog domain, so one topic's missing strings
    never block another)."""
    name: str
    folder: Path
    meta: HandoutMeta
    fields: object              # fields.HandoutFields
    support_lines: tuple
    catalogs: Catalogs


class Library:
    """Fonts, checked catalogs, templates, handout definitions, meta, support lines and
    brands, for rendering any number of jobs from any number of threads.

    `template_dirs` are searched before the built-in templates (a clinic's own handouts
    and its overrides of built-in templates)."""

    def __init__(self, template_dirs: Sequence[Path] = (), *, watch: bool = True,
                 fonts_dir: Path = FONTS_DIR, locales_dir: Path | None = None,
                 paragraphs: int = 2048, subset_budget: int = 48 << 20):
        self._arguments = dict(template_dirs=tuple(template_dirs), watch=watch,
                               fonts_dir=fonts_dir, locales_dir=locales_dir,
                               paragraphs=paragraphs, subset_budget=subset_budget)
        for folder in template_dirs:
            if not Path(folder).is_dir():
                raise TemplateError(f"{str(folder)!r} is not a folder", field="--templates",
                                    hint="give the folder that holds the clinic's handout "
                                         "folders (each with meta.toml, fields.toml and "
                                         "handout.xml.j2)")
        self.template_dirs = tuple(Path(d) for d in template_dirs) + (TEMPLATES_DIR,)
        self.locales_dir = Path(locales_dir or resources.LOCALES_DIR)
        self.watch = watch
        self.fingerprints = Fingerprints()
        self.fonts = FontLibrary(Path(fonts_dir), subset_budget=subset_budget)
        self.text = Typesetter(self.fonts, paragraphs=paragraphs)
        self.drawings = Drawings()
        self.blocks = LRUCache(maxsize=BLOCKS)
        self.shared_contexts = LRUCache(maxsize=CONTEXTS)
        self._handouts = LRUCache(maxsize=HANDOUTS)
        self._brands = LRUCache(maxsize=BRANDS)
        self._brand_files = LRUCache(maxsize=BRANDS)
        self._handout_names = LRUCache(maxsize=2)
        self._environments = LRUCache(maxsize=ENVIRONMENTS)
        self._formatting = LRUCache(maxsize=FORMATTING_LOCALES)
        self._catalogs: dict[tuple[Path, str], Catalogs] = {}
        self._covered: dict[str, frozenset[str]] = {}
        self._lock = ForkSafeLock()
        self._loader = SourceLoader(self.template_dirs, self.fingerprints,
                                    LRUCache(maxsize=TEMPLATES), watch)

    def __repr__(self) -> str:
        return f"<Library {', '.join(relative(d) for d in self.template_dirs)}>"

    def __reduce__(self):
        # A worker started by spawn (not fork) gets a cold library built the same way.
        return (_rebuilt, (self._arguments,))

    # -- files, by content -------------------------------------------------------------

    def _kept(self, cache: LRUCache, key: tuple, paths, make):
        if not self.watch:
            return cache.get_or_make(key, lambda _: make())
        return by_content(cache, key, tuple(paths), make, self.fingerprints)

    # -- catalogs ----------------------------------------------------------------------

    def catalogs(self, locales_dir: Path | None = None, domain: str = DOMAIN) -> Catalogs:
        """The catalogs of one domain (by default the project's locales/messages.po)."""
        key = (Path(locales_dir or self.locales_dir), domain)
        with self._lock:
            found = self._catalogs.get(key)
            if found is None:
                found = self._catalogs[key] = Catalogs(key[0], domain, text=self.text,
                                                       fingerprints=self.fingerprints,
                                                       watch=self.watch)
            return found

    # -- handouts ----------------------------------------------------------------------

    def handout_folder(self, name: str) -> Path:
        """The folder of a handout: the first template folder holding <name>/meta.toml."""
        if not _is_name(name):
            raise TemplateError("is not a handout name", field="handout",
                                hint="use the name of a handout folder, e.g. "
                                     "miscarriage-recovery")
        for folder in self.template_dirs:
            if os.path.lexists(folder / name / "meta.toml"):   # a broken one is refused
                return folder / name
            partial = [file for file in ("fields.toml", "support_lines.toml")
                       if os.path.lexists(folder / name / file)]
            if partial:
                # Only the template may be overridden alone (it is looked for in every
                # folder, in order); a fields or support-lines file without its meta.toml
                # would be ignored without a word.
                raise TemplateError(f"{partial[0]} without meta.toml",
                                    source=relative(folder / name), field="handout",
                                    hint="a clinic's copy of a handout needs all its files: "
                                         "copy the whole handout folder (meta.toml, "
                                         "fields.toml, handout.xml.j2, support_lines.toml "
                                         "and locales/ where it has them)")
        raise TemplateError(f"unknown handout {name!r}", field="handout",
                            hint="a handout is a folder <name>/ with meta.toml, fields.toml "
                                 "and handout.xml.j2 in " + ", ".join(
                                     relative(d) for d in self.template_dirs))

    def handout_names(self) -> tuple[str, ...]:
        """Every handout the template folders hold (a folder <name>/ with meta.toml),
        a clinic's folders first, each name once. Looked for again at most once a
        second while watching (a web server asks at every request), once when not."""
        def listed(_):
            names = [path.parent.name for folder in self.template_dirs if folder.is_dir()
                     for path in sorted(folder.glob("*/meta.toml"))]
            return tuple(dict.fromkeys(names))
        moment = int(time.monotonic()) if self.watch else 0
        return self._handout_names.get_or_make(moment, listed)

    def handout(self, name: str) -> Handout:
        """A handout's definition, read again when one of its files changes."""
        folder = self.handout_folder(name)
        paths = (folder / "meta.toml", folder / "fields.toml", folder / "support_lines.toml",
                 folder / "locales" / f"{name}.pot")
        return self._kept(self._handouts, (folder,), paths, lambda: self._read_handout(folder))

    def handout_fields(self, name: str):
        """The per-visit fields a handout asks for (its fields.toml)."""
        return self.handout(name).fields

    def _read_handout(self, folder: Path) -> Handout:
        from .fields import load_handout_fields
        own = folder / "locales"
        catalogs = (self.catalogs(own, folder.name) if (own / f"{folder.name}.pot").is_file()
                    else self.catalogs())
        return Handout(folder.name, folder, read_meta(folder), load_handout_fields(folder),
                       read_support_lines(folder), catalogs)

    def environment(self, bundle: LocaleBundle):
        """The template environment for a loaded catalog (a new bundle, after an edit,
        gets a new one); every environment loads templates through the library's one
        SourceLoader, so they are kept by content, or pinned when not watching."""
        return self._environments.get_or_make(bundle, lambda _: environment(bundle,
                                                                            self._loader))

    # -- brands ------------------------------------------------------------------------

    def brand(self, path: str | Path):
        """A clinic's brand file (and its logo), checked, read again when either changes."""
        from .brand import brand_files, load_brand
        path = Path(path)
        # Which logo a brand names is read from its TOML file only when that file changes.
        files = self._kept(self._brand_files, (path,), (path,), lambda: brand_files(path))
        return self._kept(self._brands, (path,), files, lambda: load_brand(path))

    # -- formatting ----------------------------------------------------------------------

    def formatting_locale(self, bundle: LocaleBundle, country: str):
        """The Babel locale a handout's values are written for: the catalog's language in
        the clinic's country, with the language's CLDR supplement (locales/<id>/), if any."""
        key = (bundle.id, country, str(bundle.locale))
        path = formats.supplement_path(bundle.id, self.locales_dir)
        return self._kept(self._formatting, key, (path,), lambda: formats.for_clinic(
            bundle.id, country, self.locales_dir, formats_as=str(bundle.locale)))

    # -- font coverage -----------------------------------------------------------------

    def covered(self, locale: str) -> frozenset[str]:
        """The characters the fonts were found to cover for a locale so far."""
        return self._covered.get(locale, frozenset())

    def add_covered(self, locale: str, characters) -> None:
        with self._lock:
            self._covered[locale] = self._covered.get(locale, frozenset()) | frozenset(
                characters)

    # -- rendering -----------------------------------------------------------------------

    def render(self, job) -> bytes:
        """The handout PDF for one job."""
        from .render import render
        return render(job, self)

    def render_counted(self, job) -> tuple[bytes, int]:
        from .render import render_counted
        return render_counted(job, self)

    def render_document(self, job):
        from .render import render_document
        return render_document(job, self)

    def render_for_print(self, job):
        from .render import render_for_print
        return render_for_print(job, self)

    def print_file(self, **metadata):
        """A PrintFile (many handouts in one PDF for double-sided printing)."""
        from .render import PrintFile
        return PrintFile(self, **metadata)


def _rebuilt(arguments: dict) -> Library:
    return Library(**arguments)


def _is_name(name: str) -> bool:
    return (isinstance(name, str) and 0 < len(name) <= 64 and name[0].isalnum()
            and all(c.isalnum() or c in "-_" for c in name) and name.isascii())


__all__ = ["Library", "Handout"]
