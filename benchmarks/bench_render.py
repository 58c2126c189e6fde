"""Time rendering handouts through `Library.render` and print handouts per second.

    python3 benchmarks/bench_render.py                 # English, 200 handouts
    python3 benchmarks/bench_render.py -n 100 ar hi th # several locales
    python3 benchmarks/bench_render.py --all           # every shipped locale

Each job is the CLI's sample patient with a different record id and name, so the
per-patient text (name, ids) changes while the static paragraphs repeat, as in a batch.
The first handout of each locale is rendered before timing starts (fonts loaded, caches
warm); the figure is the steady state of one process on one core.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from handouts.brand import load_brand  # noqa: E402
from handouts.cli import SAMPLE_TODAY, sample_fields  # noqa: E402
from handouts.i18n import shipped_locales  # noqa: E402
from handouts.records import job_from_fields  # noqa: E402
from handouts.library import Library  # noqa: E402
from handouts.resources import EXAMPLE_BRAND, PROJECT_DIR  # noqa: E402

#: Patient handouts, not samples: the example clinic's values without its sample mark.
BRAND = PROJECT_DIR / "tests" / "data" / "brands" / "test-clinic.toml"

NAMES = ["Maria Example", "Ana López", "Nguyễn Thị Lan", "Fatima Haddad", "Li Wei",
         "Olena Kovalenko", "Priya Sharma", "Aisha Bello"]


def jobs(locale: str, count: int) -> list:
    brand = load_brand(BRAND if BRAND.exists() else EXAMPLE_BRAND)
    today = date.fromisoformat(SAMPLE_TODAY)
    fields = Library().handout_fields("miscarriage-recovery")
    return [job_from_fields({**sample_fields(fields), "locale": locale,
                             "patient_name": NAMES[i % len(NAMES)],
                             "record_id": f"BENCH-{i:05d}"}, handout=fields, brand=brand,
                            today=today)
            for i in range(count)]


def bench(locale: str, count: int, repeats: int) -> tuple[float, float, int]:
    batch = jobs(locale, count)
    render = Library().render
    size = len(render(batch[0]))          # warm-up: fonts, catalogs, caches
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for job in batch:
            render(job)
        rates.append(count / (time.perf_counter() - start))
    return max(rates), statistics.median(rates), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locales", nargs="*", default=["en"])
    parser.add_argument("-n", "--count", type=int, default=200, help="handouts per run")
    parser.add_argument("-r", "--repeats", type=int, default=3, help="runs per locale")
    parser.add_argument("--all", action="store_true", help="every shipped locale")
    args = parser.parse_args(argv)
    locales = list(shipped_locales()) if args.all else args.locales
    print(f"{'locale':8} {'best/s':>8} {'median/s':>9} {'ms each':>8} {'PDF bytes':>10}")
    for locale in locales:
        try:
            best, median, size = bench(locale, args.count, args.repeats)
        except Exception as error:  # noqa: BLE001 - report and go on to the next locale
            print(f"{locale:8} failed: {type(error).__name__}: {error}")
            continue
        print(f"{locale:8} {best:8.1f} {median:9.1f} {1000 / best:8.2f} {size:10d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
