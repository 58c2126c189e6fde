"""Where the project's read-only inputs live: templates, catalogs, fonts, brands."""
from __future__ import annotations

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"
LOCALES_DIR = PROJECT_DIR / "locales"
FONTS_DIR = PROJECT_DIR / "fonts"
BRANDS_DIR = PROJECT_DIR / "brands"
EXAMPLE_BRAND = BRANDS_DIR / "example-clinic.toml"
