"""Runs one scanner process and measures it whole: wall time, peak RSS, exit code.

The process runs under GNU time (`/usr/bin/time -v`, for the peak RSS the kernel reports) and,
for the one-core runs, under `taskset -c 0`, so a tool that ignores its threads option still gets
one CPU. It runs in its own process group so a timeout kills every child it started.
"""

import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"


@dataclass
class Run:
    seconds: float
    rss_kib: int | None
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr_tail: str


def measure(argv, *, one_core: bool, env_extra: dict, cwd: Path | None, timeout: float) -> Run:
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    cmd = [GNU_TIME, "-v", "-o", time_file]
    if one_core:
        cmd += ["taskset", "-c", "0"]
    cmd += [str(a) for a in argv]
    env = dict(os.environ, **env_extra)
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         errors="replace", env=env, cwd=cwd, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        code = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        code = None
    seconds = time.monotonic() - start
    rss = None
    try:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", Path(time_file).read_text())
        rss = int(m.group(1)) if m else None
        # GNU time reports the command's own exit status in the text; use it over time's own.
        m = re.search(r"Exit status: (\d+)", Path(time_file).read_text())
        if m and code is not None:
            code = int(m.group(1))
    finally:
        os.unlink(time_file)
    return Run(seconds, rss, code, out, "\n".join(err.strip().splitlines()[-3:]))
