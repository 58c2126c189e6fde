"""Where the project's read-only inputs live: templates, catalogs, fonts, brands."""
from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
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
