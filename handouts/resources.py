"""Where the project's read-only inputs live: templates, catalogs, fonts, brands.

In a checkout (and an editable install) they are the folders at the top of the project;
an installed wheel carries the same folders inside the package (pyproject.toml maps
them), found through importlib.resources.
"""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def _project_dir() -> Path:
    installed = Path(str(files("handouts")))
    if (installed / "templates").is_dir():      # a wheel: the folders are in the package
        return installed
    return Path(__file__).resolve().parent.parent


PROJECT_DIR = _project_dir()
TEMPLATES_DIR = PROJECT_DIR / "templates"
LOCALES_DIR = PROJECT_DIR / "locales"
FONTS_DIR = PROJECT_DIR / "fonts"
BRANDS_DIR = PROJECT_DIR / "brands"
EXAMPLE_BRAND = BRANDS_DIR / "example-clinic.toml"


def relative(path: Path, root: Path = PROJECT_DIR) -> str:
    """How messages name a project file: relative to the project (`locales/es/...`), or
    as given when it lies elsewhere (a clinic's own file)."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
