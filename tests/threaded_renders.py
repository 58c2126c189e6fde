"""Render 48 handouts in 12 locales from 16 threads at once on a cold Library in a cold
process, then the same jobs one by one on another cold Library, and print what happened
as JSON (run by tests/test_threads.py in a fresh process each time, so no warm cache can
hide a race)."""
import collections
import hashlib
import json
import sys
from concurrent.futures import ThreadPoolExecutor

from handouts.brand import load_brand
from handouts.records import job_from_fields
from handouts.library import Library
from tests.conftest import HANDOUT_FIELDS, PATIENT, TEST_BRAND, TODAY

LOCALES = ["en", "es", "ar", "zh_Hans", "hi", "th", "my", "he", "ja", "ru", "km", "am"]


def main(threads: int = 16, count: int = 48) -> dict:
    brand = load_brand(TEST_BRAND)
    jobs = [job_from_fields({**PATIENT, "locale": LOCALES[i % len(LOCALES)],
                             "record_id": f"T-{i}"}, handout=HANDOUT_FIELDS, brand=brand,
                            today=TODAY)
            for i in range(count)]
    errors = collections.Counter()

    def one(job, library):
        try:
            return hashlib.sha256(library.render(job)).hexdigest()
        except Exception as error:          # every failure is counted, none is fatal here
            errors[f"{type(error).__name__}: {error}"[:120]] += 1
            return None

    shared = Library()
    with ThreadPoolExecutor(threads) as pool:
        parallel = list(pool.map(lambda job: one(job, shared), jobs))
    alone = Library()
    serial = [one(job, alone) for job in jobs]
    return {"errors": dict(errors), "rendered": sum(d is not None for d in parallel),
            "differ": sum(1 for p, s in zip(parallel, serial) if p != s)}


if __name__ == "__main__":
    print(json.dumps(main(*map(int, sys.argv[1:]))))
