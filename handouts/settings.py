"""Edge module: the clinic a command line prints for when `--brand` is not given.

A patient's handout never falls back to the built-in example clinic. The clinic is set
once, in one of two places (the first found wins):

- the environment variable HANDOUTS_BRAND, the path of the clinic's brand file;
- a file `handouts.toml` in the working directory with `brand = "path/to/clinic.toml"`
  (a relative path is read from that file's folder).

Only which brand file to read comes from here; the bytes of a handout depend on the
brand file's content, never on where its name came from.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Mapping

from .characters import first_refused
from .errors import InputError
from .input_files import UnusableFile, read_bounded

ENVIRONMENT_VARIABLE = "HANDOUTS_BRAND"
SETTINGS_FILE = "handouts.toml"
SETTINGS_KEYS = ("brand",)
MAX_SETTINGS_BYTES = 100_000
HOW_TO_SET = (f"pass --brand clinic.toml, or set your clinic once: {ENVIRONMENT_VARIABLE}="
              f"/path/to/clinic.toml, or brand = \"clinic.toml\" in {SETTINGS_FILE} in the "
              "folder you run from (start from brands/example-clinic.toml)")


def clinic_brand_path(given: Path | None, *, cwd: Path | None = None,
                      environ: Mapping[str, str] | None = None) -> Path:
    """The brand file to print with: `given`, else the one set once; else an error."""
    if given is not None:
        return given
    environ = os.environ if environ is None else environ
    from_environment = environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if from_environment:
        bad = first_refused(from_environment)
        if bad is not None:
            raise InputError(f"contains {bad.describe()}", field=ENVIRONMENT_VARIABLE,
                             hint="set it to the path of your clinic's brand file")
        return Path(from_environment)
    settings = (cwd or Path.cwd()) / SETTINGS_FILE
    if settings.exists():
        return _brand_from_settings(settings)
    raise InputError("no clinic brand file given", field="--brand", hint=HOW_TO_SET)


def _brand_from_settings(path: Path) -> Path:
    where = str(path)
    try:
        data = tomllib.loads(read_bounded(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except UnusableFile as exc:
        raise InputError(exc.message, source=where, hint=exc.hint) from None
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", source=where,
                         hint="make it a readable file") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot be read: {exc}", source=where,
                         hint='write one line: brand = "path/to/clinic.toml"') from None
    unknown = sorted(set(data) - set(SETTINGS_KEYS))
    if unknown:
        raise InputError(f"unknown setting {unknown[0]!r}", source=where, field=unknown[0],
                         hint="the only setting is brand = \"path/to/clinic.toml\"")
    brand = data.get("brand")
    if not isinstance(brand, str) or not brand.strip():
        raise InputError("is missing or not text", source=where, field="brand",
                         hint='write brand = "path/to/clinic.toml"')
    bad = first_refused(brand)
    if bad is not None:
        raise InputError(f"contains {bad.describe()}", source=where, field="brand",
                         hint='write brand = "path/to/clinic.toml"')
    return path.parent / brand.strip()
