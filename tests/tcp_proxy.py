"""TCP proxies for the tests: one the tests can cut (the database "goes away" and comes back, as
in an outage), and a round-robin load balancer in front of several web servers."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``cut()`` drops every connection and refuses
    new ones until ``restore()``."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closing = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()  # the server is "down": refused at once
                continue
            try:
                upstream = socket.create_connection(self._choose())
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _choose(self) -> tuple[str, int]:
        return self.target

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            with self._lock:
                self._open -= {source, sink}

    def cut(self) -> None:
        self._up.clear()
        with self._lock:
            connections = list(self._open)
        for s in connections:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._up.set()

    def close(self) -> None:
        self._closing = True
        self.cut()
        # Closing a listening socket does not wake a thread blocked in accept(); a shutdown does.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)


class RoundRobinProxy(CuttableProxy):
    """A load balancer: each new connection goes to the next of ``targets`` in turn.

    ``routed`` lists the port each connection went to, in order. ``next_to(port)`` sends the
    next connection to that target (the round robin goes on from there), for a test that needs
    one request to reach one host; a client that opens one connection per request (the
    ``Browser`` of multiprocess_support) then knows which host answered it."""

    def __init__(self, targets: list[tuple[str, int]]) -> None:
        self.targets = list(targets)
        self.routed: list[int] = []
        self._turn = 0
        super().__init__(self.targets[0])

    def _choose(self) -> tuple[str, int]:
        with self._lock:
            target = self.targets[self._turn % len(self.targets)]
            self._turn += 1
            self.routed.append(target[1])
        return target

    def next_to(self, port: int) -> None:
        with self._lock:
            self._turn = [target_port for _, target_port in self.targets].index(port)
