"""Throughput: requests per second a server answers with 200 under steady load.

wrk (Debian's package; ``make bench`` installs it when it can) drives the load from C, so the
load generator takes little of the two cores; without it, threads with http.client do the same
job (and take more of the machine: the figures are then lower for both sides alike)."""

from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import threading
import time

from bench.servers import HarnessError

CONNECTIONS = 4  # two sync workers: a couple of requests queued behind each


def tool() -> str:
    return "wrk" if shutil.which("wrk") else "python threads"


def throughput(port: int, path: str, seconds: float) -> tuple[float, int]:
    """(requests per second, requests answered) of ``seconds`` of load on ``path``."""
    if shutil.which("wrk"):
        return _wrk(port, path, seconds)
    return _threads(port, path, seconds)


def _wrk(port: int, path: str, seconds: float) -> tuple[float, int]:
    result = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-H",
            "X-Forwarded-Proto: https",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or "Non-2xx" in result.stdout or "Socket errors" in result.stdout:
        raise HarnessError(f"wrk on {path} failed:\n{result.stdout}{result.stderr}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    count = re.search(r"(\d+) requests in", result.stdout)
    if rate is None or count is None:
        raise HarnessError(f"wrk printed no rate:\n{result.stdout}")
    return float(rate.group(1)), int(count.group(1))


def _threads(port: int, path: str, seconds: float) -> tuple[float, int]:
    counts = [0] * CONNECTIONS
    failures: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"X-Forwarded-Proto": "https"}

    def run(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
                connection.close()
                continue
            if response.status != 200:
                failures.append(str(response.status))
            counts[slot] += 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()

    start = time.monotonic()
    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise HarnessError(f"load on {path}: {len(failures)} failures, e.g. {failures[0]}")
    return sum(counts) / (time.monotonic() - start), sum(counts)
