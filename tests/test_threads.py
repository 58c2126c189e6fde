"""Rendering is safe under threads: many handouts rendered at once give the bytes a
serial render gives, with no error, from a cold process and in a warm one."""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import render
from handouts.resources import PROJECT_DIR
from tests.threaded_renders import LOCALES


@pytest.mark.parametrize("run", range(2))
def test_sixteen_threads_on_a_cold_process_render_what_one_thread_renders(run):
    result = subprocess.run([sys.executable, "-m", "tests.threaded_renders", "16", "48"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome == {"errors": {}, "rendered": 48, "differ": 0}


def test_threads_on_a_warm_library_render_the_same_bytes(make_job):
    jobs = [make_job(locale=LOCALES[i % len(LOCALES)], record_id=f"W-{i}") for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(render, jobs))
    assert parallel == [render(job) for job in jobs]


def test_two_libraries_in_one_process_render_the_same_bytes(make_job):
    """Nothing a render keeps is the process's: a second library, cold beside a warm
    one, makes the same bytes."""
    from handouts.library import Library
    job = make_job(locale="th")
    assert Library().render(job) == render(job)


FORK_WHILE_THREADS_RENDER = """
import os, sys, threading
from handouts.brand import load_brand
from handouts.caches import ForkSafeLock
from handouts.records import job_from_fields
from tests.conftest import render
from tests.conftest import HANDOUT_FIELDS, PATIENT, TEST_BRAND, TODAY
held = ForkSafeLock()
held.__enter__()                  # another thread's lock, held at the moment of the fork
pid = os.fork()
if pid == 0:
    with held:                    # the child's copy is a new lock: this does not hang
        job = job_from_fields({**PATIENT, "locale": "ar"}, handout=HANDOUT_FIELDS,
                              brand=load_brand(TEST_BRAND), today=TODAY)
        os._exit(0 if render(job).startswith(b"%PDF") else 1)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_forked_worker_does_not_inherit_a_held_lock():
    result = subprocess.run([sys.executable, "-c", FORK_WHILE_THREADS_RENDER], cwd=PROJECT_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_every_lock_of_the_core_is_renewed_in_a_forked_child():
    from handouts import output, pdf
    from handouts.caches import ForkSafeLock
    from handouts.library import Library
    library = Library()
    for lock in (library.fonts._loading, library.drawings._walking, library._lock,
                 output._UMASK_LOCK, pdf._REGISTERING):
        assert isinstance(lock, ForkSafeLock)
