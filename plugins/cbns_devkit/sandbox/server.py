"""Run an ASGI app as a real uvicorn HTTP server on loopback, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn


@dataclass
class RunningServer:
    """A uvicorn server started by :func:`serve_in_thread`; stop it with :meth:`stop`."""

    server: uvicorn.Server
    thread: threading.Thread
    host: str
    port: int
    _stopped: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float = 10.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 15.0
) -> RunningServer:
    """Start ``app`` on ``host:port`` (0 = any free port) and return once it accepts requests."""
    # Bind the socket ourselves so port 0 works and there is no race between choosing a port
    # and uvicorn binding it.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    bound_port = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        # Keep-alive long enough for pooled clients, and many concurrent connections: the
        # sandboxes must be able to *see* concurrency in order to limit it.
        timeout_keep_alive=30,
        limit_concurrency=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox-{bound_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"sandbox server on {host}:{bound_port} did not start")
        time.sleep(0.01)
    return RunningServer(server=server, thread=thread, host=host, port=bound_port)


@dataclass
class SandboxSpec:
    """What the sandbox CLI needs from one sandbox (Chargebee or NetSuite) to serve it.

    ``describe`` turns the served base URL into that sandbox's section of ``sandbox.json``;
    ``demo`` takes that section and yields human-readable lines showing real requests.
    """

    name: str
    app: Any
    describe: Callable[[str], dict[str, Any]]
    demo: Callable[[dict[str, Any]], Iterator[str]]
