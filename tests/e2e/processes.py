"""Real processes for end-to-end tests: Celery workers, beat, the web server,
and a private redis-server that a test may stop and start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], bool], *, timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Process:
    """A child process whose output goes to a log file we can read on failure."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = Path(tempfile.mkstemp(prefix=f"petrosa-{name}-", suffix=".log")[1])
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_output(self, text: str, *, timeout: float = 30) -> None:
        wait_for(lambda: text in self.output() or self.proc.poll() is not None, timeout=timeout, what=f"{self.name}")
        if text not in self.output():
            raise RuntimeError(f"{self.name} exited before {text!r}:\n{self.output()[-4000:]}")

    def kill(self, sig: int = signal.SIGTERM, *, timeout: float = 15) -> None:
        if self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=timeout)
        finally:
            self._log_file.close()


def start_worker(env: dict[str, str], *, concurrency: int = 2, name: str = "worker") -> Process:
    worker = Process(
        name,
        [
            str(VENV_BIN / "celery"), "-A", "petrosa", "worker", "-Q", "signals,execution", "-c", str(concurrency),
            "-P", "prefork", "--without-gossip", "--without-mingle", "-n", f"{name}-{os.getpid()}@%h", "-l", "INFO",
        ],
        env,
    )  # fmt: skip
    worker.wait_for_output("ready.", timeout=60)
    return worker


def start_beat(env: dict[str, str]) -> Process:
    schedule = Path(tempfile.mkdtemp(prefix="petrosa-beat-")) / "schedule"
    beat = Process("beat", [str(VENV_BIN / "celery"), "-A", "petrosa", "beat", "-s", str(schedule), "-l", "INFO"], env)
    beat.wait_for_output("beat: Starting", timeout=60)
    return beat


def start_web(env: dict[str, str]) -> tuple[Process, str]:
    port = free_port()
    web = Process("web", [sys.executable, "manage.py", "serve", "--port", str(port)], env)
    wait_for(lambda: port_open(port) or web.proc.poll() is not None, timeout=60, what="web server")
    if web.proc.poll() is not None:
        raise RuntimeError(f"web server exited:\n{web.output()[-4000:]}")
    return web, f"http://127.0.0.1:{port}"


def start_redis(port: int) -> Process:
    """A private, disposable redis-server, so a test can stop it without
    disturbing anything else."""
    redis_dir = tempfile.mkdtemp(prefix="petrosa-redis-")
    server = Process(
        f"redis-{port}",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", redis_dir],
        dict(os.environ),
    )  # fmt: skip
    wait_for(lambda: port_open(port), timeout=20, what=f"redis on {port}")
    return server


class TcpRelay:
    """127.0.0.1:<port> → target until cut; cutting also drops every open
    connection, as a crashed database server would."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self) -> None:
        if self._listener is not None:
            try:  # wakes the thread blocked in accept()
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
