#!/usr/bin/env python3
"""Batch printing benchmark: handouts per second, per core, peak memory, print file size.

    python benchmarks/bench_batch.py                       # the issue's figures (a few minutes)
    python benchmarks/bench_batch.py --rows 100 --print-rows 200 --locales en   # quick look

Each measurement runs in a fresh Python process, so that caches start cold as in a real
run and peak memory (ru_maxrss) belongs to that measurement alone. Figures:

  render     one process, warm, `render(job)` in a loop: the per-core ceiling
  batch      `run_batch` of N rows with 1 and 2 workers, without the print file (per-row
             PDFs, manifest, resume checks): wall time from start to finish, workers'
             start-up included
  batch+print  the same with print.pdf, which this process builds while workers render
  print      `PrintFile` of M handouts in one process: time, bytes, bytes per handout

Peak memory is the parent's and the largest worker's maximum resident set size. Each
measurement runs --repeat times (default 3) and the fastest run is shown, with the range
of all runs: on a shared machine other load only ever slows a run down.
Never run from tests: timings depend on the machine and its load (printed with the results).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
#: A clinic's patient handouts, as a print room makes them: the example clinic's values
#: without its sample mark (trees from before the mark have only the example clinic).
BRAND = next(p for p in (ROOT / "tests/data/brands/test-clinic.toml",
                         ROOT / "brands/example-clinic.toml") if p.exists())

PATIENT = {
    "locale": "en", "patient_name": "Maria Lopez", "record_id": "MRN-20417",
    "discharge_date": "2026-11-20", "wait": "2w", "contraception": "avoid",
    "follow_up": "2026-12-01 10:30", "rh": "given", "clinician": "Dr. Ana Rivera",
    "note": "Take ibuprofen 400 mg every 6 hours if you need it.",
}
NAMES = ["Maria Lopez", "Ana Silva", "Jane Doe", "Rosa Martinez", "Li Wei", "Amal Haddad"]
WAITS = ["2w", "until-bleeding-stops", "6w", "2026-12-18"]
PLANS = ["avoid", "trying", "undecided"]


def rows(count: int, locale: str) -> list[dict]:
    """Varied patients, so that no two handouts are the same."""
    out = []
    for i in range(count):
        out.append({**PATIENT, "locale": locale, "record_id": f"B-{i:05d}",
                    "patient_name": NAMES[i % len(NAMES)], "wait": WAITS[i % len(WAITS)],
                    "contraception": PLANS[i % len(PLANS)],
                    "follow_up": "call" if i % 3 == 0 else f"2026-12-{1 + i % 28:02d} 10:30",
                    "rh": ("given", "not-given", "not-needed")[i % 3],
                    "note": PATIENT["note"] if i % 2 else ""})
    return out


def write_csv(path: Path, records: list[dict]) -> None:
    import csv
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(PATIENT))
        writer.writeheader()
        writer.writerows(records)


def peak_mb() -> tuple[float, float]:
    import resource
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return me, children


# -- the measurements, each run in its own process ----------------------------------------

def measure_render(count: int, locale: str) -> dict:
    from datetime import date
    from handouts.brand import load_brand
    from handouts.records import job_from_fields
    from handouts.library import Library
    library = Library()
    render = library.render
    brand = load_brand(BRAND)
    fields = library.handout_fields("miscarriage-recovery")
    jobs = [job_from_fields(r, handout=fields, brand=brand, today=date(2026, 11, 20))
            for r in rows(count, locale)]
    for job in jobs[:3]:
        render(job)                                        # warm: fonts, catalogs, caches
    started = time.perf_counter()
    sizes = [len(render(job)) for job in jobs]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "per_second": count / seconds,
            "ms_each": 1000 * seconds / count, "bytes_each": sum(sizes) / count,
            "peak_mb": peak_mb()[0]}


def measure_batch(count: int, locale: str, workers: int, print_file: bool) -> dict:
    from datetime import date
    from handouts.batch import BatchOptions, run_batch
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "patients.csv"
        write_csv(source, rows(count, locale))
        options = BatchOptions(source=source, out_dir=Path(folder) / "out",
                               brand_path=BRAND, today=date(2026, 11, 20),
                               workers=workers, print_file=print_file)
        started = time.perf_counter()
        result = run_batch(options)
        seconds = time.perf_counter() - started
        size = options.print_path.stat().st_size if result.print_path else 0
    me, children = peak_mb()
    return {"seconds": seconds, "made": result.made, "failed": result.failed,
            "per_second": result.made / seconds,
            "per_core": result.made / seconds / max(1, workers),
            "print_bytes": size, "peak_parent_mb": me, "peak_worker_mb": children,
            "errors": result.errors[:3]}


def measure_print(count: int, locale: str) -> dict:
    from datetime import date
    from handouts.brand import load_brand
    from handouts.library import Library
    from handouts.records import job_from_fields
    library = Library()
    brand = load_brand(BRAND)
    fields = library.handout_fields("miscarriage-recovery")
    jobs = [job_from_fields(r, handout=fields, brand=brand, today=date(2026, 11, 20))
            for r in rows(count, locale)]
    from handouts.output import atomic_file
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "print.pdf"
        started = time.perf_counter()
        print_file = library.print_file(title="bench", author=brand.name, lang=locale)
        for job in jobs:
            print_file.add(job)
        with atomic_file(path) as stream:         # as the batch writes it
            print_file.finish(stream)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    return {"seconds": seconds, "per_second": count / seconds, "bytes": size,
            "bytes_each": size / count, "pages": print_file.pages, "peak_mb": peak_mb()[0]}


MEASURES = {"render": measure_render, "batch": measure_batch, "print": measure_print}


def run_isolated(kind: str, **kwargs) -> dict:
    """One measurement in a fresh interpreter; its result comes back as JSON."""
    code = ("import json, sys; sys.path.insert(0, %r); import benchmarks.bench_batch as b; "
            "print(json.dumps(b.MEASURES[%r](**%r)))" % (str(ROOT), kind, kwargs))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_of(repeat: int, kind: str, **kwargs) -> dict:
    """The fastest of `repeat` runs (the machine's other load only ever slows a run
    down), with every run's rate in `rates` to show the spread."""
    runs = [run_isolated(kind, **kwargs) for _ in range(max(1, repeat))]
    good = [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    best = dict(min(good, key=lambda r: r["seconds"]))
    best["rates"] = sorted(r["per_second"] for r in good)
    return best


def spread(figure: dict) -> str:
    rates = figure.get("rates", ())
    if len(rates) < 2:
        return ""
    return f" [best of {len(rates)}: {rates[0]:.0f}-{rates[-1]:.0f}/s]"


def measured(figures: dict, key: tuple, label: str, repeat: int, kind: str,
             **kwargs) -> dict | None:
    """best_of, kept in `figures`; None (and a line saying why) when it failed."""
    figure = figures[key] = best_of(repeat, kind, **kwargs)
    if "error" in figure:
        print(f"{key[0]}: {label} failed: {figure['error']}")
        return None
    return figure


def locale_ready(locale: str) -> bool:
    from handouts.errors import HandoutError
    from handouts.library import Library
    try:
        Library().catalogs().load(locale)
        return True
    except HandoutError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500, help="batch size (default 500)")
    parser.add_argument("--print-rows", type=int, default=1000,
                        help="handouts in the print file measurement (default 1000)")
    parser.add_argument("--render-rows", type=int, default=200)
    parser.add_argument("--locales", default="en,ar,zh_Hans")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each measurement; the fastest is shown (default 3)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = parser.parse_args()
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} at start; "
          f"python {sys.version.split()[0]}")
    figures = {}
    for locale in args.locales.split(","):
        if not locale_ready(locale):
            print(f"{locale}: skipped (its catalog does not load yet)")
            continue
        r = measured(figures, (locale, "render"), "render", args.repeat, "render",
                     count=args.render_rows, locale=locale)
        if r is None:
            continue
        print(f"{locale}: render, 1 process, warm: {r['ms_each']:.1f} ms a handout "
              f"({r['per_second']:.0f}/s), {r['bytes_each'] / 1024:.0f} KiB each, "
              f"peak {r['peak_mb']:.0f} MB{spread(r)}")
        for workers in [int(w) for w in args.workers.split(",")]:
            for print_file in (False, True):
                b = measured(figures, (locale, f"batch{workers}{'p' if print_file else ''}"),
                             "batch", args.repeat, "batch", count=args.rows, locale=locale,
                             workers=workers, print_file=print_file)
                if b is None:
                    continue
                what = "handouts + print.pdf" if print_file else "handouts only     "
                print(f"{locale}: batch of {args.rows}, {workers} worker(s), {what}: "
                      f"{b['seconds']:.1f} s, {b['per_second']:.0f}/s "
                      f"({b['per_core']:.0f}/s per core), peak parent "
                      f"{b['peak_parent_mb']:.0f} MB, worker {b['peak_worker_mb']:.0f} MB"
                      + (f", print.pdf {b['print_bytes'] / args.rows / 1024:.1f} KiB a handout"
                         if print_file else "")
                      + spread(b)
                      + (f"; {b['failed']} failed: {b['errors']}" if b["failed"] else ""))
        p = measured(figures, (locale, "print"), "print file", args.repeat, "print",
                     count=args.print_rows, locale=locale)
        if p is None:
            continue
        print(f"{locale}: print file of {args.print_rows} handouts built as one document: "
              f"{p['seconds']:.1f} s ({p['per_second']:.0f}/s), {p['bytes'] / 1e6:.1f} MB "
              f"({p['bytes_each'] / 1024:.1f} KiB a handout, {p['pages']} pages), "
              f"peak {p['peak_mb']:.0f} MB{spread(p)}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    print(f"load average {load[0]:.2f} at the end")
    if args.json:
        print(json.dumps({f"{k[0]}/{k[1]}": v for k, v in figures.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
