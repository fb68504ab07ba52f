"""An SMTP server that accepts every message and tells its parent, one byte per message on
standard output ("R" once listening, "." per message), so the benchmark waits on events.

    python -m bench.smtp_sink PORT
"""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        sys.stdout.buffer.write(b".")
        sys.stdout.buffer.flush()
        return "250 Message accepted"


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sys.stdout.buffer.write(b"R")
    sys.stdout.buffer.flush()
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
