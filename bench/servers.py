"""The processes the benchmark starts (gunicorn servers, the SMTP sink, the scheduler), each in
a process group of its own, waited for by events: a port that accepts, a health page that
answers, a byte on a pipe. Stopped by their own ids at the end."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from bench import project
from bench.settings import output_dir
from nominations import PROJECT_ROOT


class HarnessError(RuntimeError):
    """The benchmark itself could not run (a server did not start, ...)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``condition`` (a port, a page: things that give no signal of their own) at a short
    interval until it is true; HarnessError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise HarnessError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


class Process:
    def __init__(self, name: str, command: list[str], env: dict[str, str], **popen) -> None:
        self.name = name
        self.log = output_dir() / f"{name}.log"
        with self.log.open("w") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=popen.pop("stdout", log),
                stderr=log,
                start_new_session=True,  # its group: gunicorn's workers stop with it
                **popen,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise HarnessError(f"{self.name} exited ({self.popen.returncode}):\n{tail}")

    def stop(self, timeout: float = 15) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        with suppress(ProcessLookupError):  # a worker left behind is still in the group
            os.killpg(self.popen.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


def _port_open(port: int) -> bool:
    with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True
    return False


def _answers(port: int, path: str) -> bool:
    with suppress(OSError, http.client.HTTPException):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        status = connection.getresponse().status
        connection.close()
        return status == 200
    return False


class Gunicorn(Process):
    """gunicorn with the project's gunicorn.conf.py (2 workers), serving ``app``."""

    def __init__(self, name: str, app: str, env: dict[str, str], ready_path: str) -> None:
        self.port = free_port()
        command = [str(project.VENV_BIN / "gunicorn"), "-c", str(project.GUNICORN_CONFIG), app]
        super().__init__(name, command, dict(env, BIND=f"127.0.0.1:{self.port}"))
        self.ready_path = ready_path

    def wait_ready(self, timeout: float = 60) -> Gunicorn:
        def ready() -> bool:
            self.check_alive()
            # Every worker booted (each has imported the app) and the page answers.
            return len(self.workers()) >= 2 and _answers(self.port, self.ready_path)

        wait_until(ready, timeout, f"{self.name} on port {self.port}")
        return self

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        with suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []

    def worker_rss_mb(self) -> float:
        """The largest resident set of the workers, in MB."""
        sizes = [rss_mb(pid) for pid in self.workers()]
        return max(sizes) if sizes else 0.0

    def workers_cpu_seconds(self) -> float:
        """CPU time the workers have used so far (user and system)."""
        return sum(cpu_seconds(pid) for pid in self.workers())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class SmtpSink(Process):
    """bench/smtp_sink.py in its own process; counts the messages it accepted."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [str(project.VENV_BIN / "python"), "-m", "bench.smtp_sink", str(self.port)]
        super().__init__("smtp-sink", command, env, stdout=subprocess.PIPE)
        self.received = 0
        self._changed = threading.Condition()
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while chunk := self.popen.stdout.read1(4096):
            with self._changed:
                self.received += chunk.count(b".")
                if b"R" in chunk:
                    self._ready.set()
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_ready(self, timeout: float = 20) -> SmtpSink:
        if not self._ready.wait(timeout):
            self.check_alive()
            raise HarnessError("the SMTP sink did not start")
        return self

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait (on the sink's bytes) until it has ``count`` messages; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.received < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.popen.poll() is not None:
                    return False
                self._changed.wait(left)
        return True
