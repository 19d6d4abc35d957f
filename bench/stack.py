"""The system under measurement, driven only through its public surfaces.

Benchmarks and soak runs start the control plane the way an operator would:
databases created and migrated with `manage.py migrate`, logins from
`manage.py seed_demo` and `manage.py user_token_create`, trading limits set
over the config API, the web server (uvicorn), Celery workers and beat as
separate processes, and a private redis-server so nothing shared is touched.
Internals may change underneath; these surfaces are what the harness relies on.
"""

from __future__ import annotations

import json
import os
import re
import signal as signals
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

from tests.e2e.processes import Process, free_port, port_open, start_redis, wait_for

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SHARED_POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")


# --- databases ---------------------------------------------------------------------


def _admin(server_url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(f"{server_url}/postgres", autocommit=True)


def database_drop(server_url: str, name: str) -> None:
    with _admin(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_create(server_url: str, name: str, *, template: str | None = None) -> str:
    """A fresh, empty (or template-copied) database; returns its URL."""
    database_drop(server_url, name)
    with _admin(server_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{server_url}/{name}"


def database_migrated(server_url: str, name: str) -> str:
    """A database with every migration applied by `manage.py migrate` (used as a template)."""
    url = database_create(server_url, name)
    manage(base_env(database_url=url, redis_url=""), "migrate", "--noinput", "-v0")
    return url


# --- processes ---------------------------------------------------------------------


def base_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The harness process itself runs without a connection pool (it only reads after a run);
    # the system under test must run as deployed, with its pool.
    env.pop("DB_POOL", None)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        PETROSA_TRADING_MODE="paper",
        PETROSA_DEMO="false",
        PETROSA_MARKET_FEED="off",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)  # fmt: skip
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


@dataclass
class Logins:
    operator: str
    password: str
    token: str
    strategy_key: str


@dataclass
class Stack:
    """Processes of one system under test; stopped in reverse order of start."""

    env: dict[str, str]
    processes: dict[str, Process] = field(default_factory=dict)
    base_url: str = ""
    redis_port: int = 0
    # Workers and beat that exited on their own and were started again by supervise().
    restarts: list[str] = field(default_factory=list)
    _specs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _closing: threading.Event = field(default_factory=threading.Event)
    _supervisor: threading.Thread | None = None

    # -- the pieces ----------------------------------------------------------------

    def start_redis(self) -> str:
        self.redis_port = self.redis_port or free_port()
        self.processes["redis"] = start_redis(self.redis_port)
        self.env["REDIS_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        return self.env["REDIS_URL"]

    def start_web(self, *, workers: int = 1, port: int = 0, env: dict[str, str] | None = None) -> str:
        """`env`: overrides for the web server alone (e.g. its DATABASE_URL through a relay)."""
        port = port or free_port()
        web = Process(
            "web",
            [str(VENV_BIN / "uvicorn"), "petrosa.asgi:application", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
            {**self.env, **(env or {})},
        )  # fmt: skip
        self.processes["web"] = web
        self.base_url = f"http://127.0.0.1:{port}"
        wait_for(lambda: web.proc.poll() is not None or _answers(f"{self.base_url}/live"), timeout=90,
                 interval=0.2, what="web server")  # fmt: skip
        if web.proc.poll() is not None:
            raise RuntimeError(f"web server exited:\n{web.output()[-4000:]}")
        return self.base_url

    def start_worker(self, name: str, *, queues: str = "signals,execution", concurrency: int = 2,
                     include: str = "") -> Process:  # fmt: skip
        args = [str(VENV_BIN / "celery"), "-A", "petrosa", "worker", "-Q", queues, "-c", str(concurrency),
                "-P", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-n", f"{name}-{os.getpid()}@%h", "-l", "INFO"]  # fmt: skip
        if include:
            args += ["-I", include]
        self._specs[name] = {"queues": queues, "concurrency": concurrency, "include": include}
        # INFO: the worker says "ready." at INFO, and INFO is what a deployment logs.
        worker = Process(name, args, {**self.env, "LOG_LEVEL": "INFO", "DJANGO_SETTINGS_MODULE": "petrosa.settings"})
        self.processes[name] = worker
        worker.wait_for_output("ready.", timeout=120)
        return worker

    def start_beat(self) -> Process:
        schedule = Path(worker_tmp()) / f"beat-{free_port()}"
        beat = Process("beat", [str(VENV_BIN / "celery"), "-A", "petrosa", "beat", "-s", str(schedule), "-l", "INFO"],
                       {**self.env, "LOG_LEVEL": "INFO", "DJANGO_SETTINGS_MODULE": "petrosa.settings"})  # fmt: skip
        self.processes["beat"] = beat
        self._specs["beat"] = {}
        beat.wait_for_output("beat: Starting", timeout=120)
        return beat

    def stop(self, name: str, sig: int = signals.SIGTERM) -> None:
        self._specs.pop(name, None)
        process = self.processes.pop(name, None)
        if process is not None:
            process.kill(sig)

    def supervise(self) -> None:
        """Start again any worker or beat that exits without being stopped, as Kubernetes
        (restartPolicy Always) or compose (restart: unless-stopped) would; each restart is noted."""
        if self._supervisor is None:
            self._supervisor = threading.Thread(target=self._watch, name="stack-supervisor", daemon=True)
            self._supervisor.start()

    def _watch(self) -> None:
        while not self._closing.wait(0.5):
            for name, process in list(self.processes.items()):
                spec = self._specs.get(name)
                if spec is None or process.proc.poll() is None or self._closing.is_set():
                    continue
                code = process.proc.returncode
                self.restarts.append(f"{name} exited with {code}{_last_words(process)}; started again")
                try:
                    if name == "beat":
                        self.start_beat()
                    else:
                        self.start_worker(name, **spec)
                except (RuntimeError, TimeoutError) as exc:
                    self.restarts.append(f"{name} could not be started again: {exc}")

    def close(self) -> None:
        self._closing.set()
        # Beat and workers first, so nothing is mid-task against a vanishing broker; redis last.
        names = sorted(self.processes, key=lambda n: (n == "redis", n == "web"))
        for name in names:
            self.stop(name)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def logs(self) -> str:
        """The tail of each process's warnings and errors (INFO lines left out), for a failure's message."""
        parts = []
        for name, process in self.processes.items():
            lines = [line for line in process.output().splitlines() if '"level": "INFO"' not in line]
            parts.append(f"--- {name} ({process.log}) ---\n" + "\n".join(lines)[-3000:])
        return "\n".join(parts)

    # -- the operator's side ---------------------------------------------------------

    def logins(self, *, password: str = "bench-Operator-123456") -> Logins:
        """seed_demo: operator login, the demo strategy's key, paper prices;
        user_token_create: the operator's API token."""
        out = manage(self.env, "seed_demo", "--password", password).stdout
        key = re.search(r"API key: (\S+)", out)
        if key is None:
            raise RuntimeError(f"seed_demo printed no strategy key:\n{out}")
        token = manage(self.env, "user_token_create", "operator", "--name", "bench").stdout.strip().splitlines()[-1]
        return Logins(operator="operator", password=password, token=token, strategy_key=key.group(1))

    def strategy(self, name: str) -> str:
        """A new strategy through `manage.py strategy_create`; returns its key."""
        return manage(self.env, "strategy_create", name).stdout.strip().splitlines()[-1]


def config_set(base_url: str, token: str, parameters: dict[str, Any], *, reason: str = "benchmark limits") -> None:
    """Set global trading parameters over the config API, as an operator's script would."""
    response = requests.post(f"{base_url}/api/v1/config/trading", json={"parameters": parameters, "reason": reason},
                             headers={"Authorization": f"Token {token}"}, timeout=30)  # fmt: skip
    if response.status_code not in (200, 201):
        raise RuntimeError(f"config API refused {parameters}: {response.status_code} {response.text[:500]}")


def session_cookie(base_url: str, username: str, password: str) -> str:
    """Log in through the admin login form; returns the Cookie header value."""
    session = requests.Session()
    page = session.get(f"{base_url}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on the admin login page ({page.status_code})")
    response = session.post(
        f"{base_url}/admin/login/?next=/admin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1), "next": "/admin/"},
        headers={"Referer": f"{base_url}/admin/login/"}, timeout=30, allow_redirects=False,
    )  # fmt: skip
    if response.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"admin login failed: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _last_words(process: Process) -> str:
    """The message of the last CRITICAL log line (JSON logs), if the process left one."""
    for line in reversed(process.output().splitlines()):
        if '"CRITICAL"' in line:
            try:
                return f" after: {json.loads(line)['message'][:200]}"
            except (ValueError, KeyError):
                return f" after: {line[:200]}"
    return ""


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


def worker_tmp() -> str:
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "petrosa-bench"
    path.mkdir(exist_ok=True)
    return str(path)


def wait_until(predicate: Any, *, timeout: float, interval: float = 0.25) -> bool:
    """Like wait_for, but says whether it happened instead of raising."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


__all__ = ["SHARED_POSTGRES", "Logins", "Stack", "base_env", "config_set", "database_create", "database_migrated",
           "manage", "port_open", "session_cookie", "wait_until"]  # fmt: skip
