"""Running the app: in the foreground (`pkgtrace serve`) or in a thread beside the pipeline
(`pkgtrace up --web-port`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from pkgtrace.web.settings import WebSettings


class WebServerError(RuntimeError):
    """The server could not start (the port is taken, the address is not local…)."""


def check_bind(host: str, port: int) -> None:
    """WebServerError now, with the reason, rather than a server that logs it and exits."""
    import socket
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise WebServerError(f"cannot listen on {host}:{port}: {e}") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            raise WebServerError(f"cannot listen on {host}:{port}: {e.strerror}") from None


@dataclass
class RunningServer:
    server: object  # uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout)


def start_in_thread(settings: WebSettings, host: str, port: int, *, log_level: str = "warning",
                    startup_timeout: float = 30.0) -> RunningServer:
    """Serve in a daemon thread; returns once it listens (WebServerError if it cannot)."""
    import uvicorn

    from pkgtrace.web.app import create_app
    check_bind(host, port)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=host, port=port, log_level=log_level))
    t = threading.Thread(target=server.run, name="web", daemon=True)
    t.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not t.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise WebServerError(f"the web server could not listen on {host}:{port}")
        time.sleep(0.05)
    return RunningServer(server, t, f"http://{host}:{port}")
