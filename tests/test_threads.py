"""Rendering is safe under threads: many handouts rendered at once give the bytes a
serial render gives, with no error, from a cold process and in a warm one."""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from handouts.render import render
from handouts.resources import PROJECT_DIR
from tests.threaded_renders import LOCALES


@pytest.mark.parametrize("run", range(2))
def test_sixteen_threads_on_a_cold_process_render_what_one_thread_renders(run):
    result = subprocess.run([sys.executable, "-m", "tests.threaded_renders", "16", "48"],
                            cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome == {"errors": {}, "rendered": 48, "differ": 0}


def test_threads_in_a_warm_process_render_the_same_bytes(make_job):
    jobs = [make_job(locale=LOCALES[i % len(LOCALES)], record_id=f"W-{i}") for i in range(24)]
    with ThreadPoolExecutor(8) as pool:
        parallel = list(pool.map(render, jobs))
    assert parallel == [render(job) for job in jobs]
