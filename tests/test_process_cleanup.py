"""A test process killed outright (SIGKILL, a CI timeout) takes the servers and schedulers it
started with it (tests/multiprocess_support.py), so none keeps a port or the scheduler's lease
into the next run."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from contextlib import suppress

from nominations import PROJECT_ROOT
from tests.multiprocess_support import DIES_WITH_THE_TESTS

STARTER = """
import os, sys
from pathlib import Path
from tests.multiprocess_support import Processes
process = Processes().start(["sleep", "300"], dict(os.environ), Path(sys.argv[1]))
print(process.pid, flush=True)
sys.stdin.read()  # until the test kills this process
"""


def test_what_the_tests_start_ends_when_the_test_process_is_killed(tmp_path):
    assert DIES_WITH_THE_TESTS, "setpriv (util-linux) is missing"
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, str(tmp_path / "sleep.log")],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    pid = int(starter.stdout.readline())
    ended = os.pidfd_open(pid)  # readable once the process has ended: an event, not a sleep
    try:
        starter.kill()
        starter.wait(timeout=10)
        readable, _, _ = select.select([ended], [], [], 10)
        assert readable, "what the killed test process started is still running"
    finally:
        os.close(ended)
        starter.stdin.close()
        starter.stdout.close()
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
