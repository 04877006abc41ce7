"""The servers a benchmark runs against: its own Redis, its own databases, the app's servers.

Everything runs on loopback, on free ports and in databases named pioneros_bench_*, so the
bench never touches the development database or a Redis that tests share.
"""

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PYTHON = sys.executable
# `--max-sockets`: the most sockets a benchmark opens, where a machine cannot hold the
# issue's scales in the time at hand; each capped benchmark says so in its notes.
MAX_SOCKETS: list[int] = []


def capped(scales: list[int], notes: list[str], name: str) -> list[int]:
    if not MAX_SOCKETS or max(scales) <= MAX_SOCKETS[0]:
        return scales
    kept = [scale for scale in scales if scale <= MAX_SOCKETS[0]]
    notes.append(f"{name}: capped at {MAX_SOCKETS[0]} sockets by --max-sockets (of {scales})")
    return kept


# `--max-topics`: the largest seeded forum for the pages benchmark, the other sizes scaled
# with it, where the 100,000 cannot be seeded and probed in the time at hand.
MAX_TOPICS: list[int] = []


# One key for the whole run: sessions made for one server must be valid on the next.
SECRET_KEY = secrets.token_urlsafe(48)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(
    port: int, process: subprocess.Popen, *, timeout: float = 60, every: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(every)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s")


def wait_for_http(url: str, process: subprocess.Popen, *, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def redis_server():
    """A private redis-server without persistence; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="pioneros-bench-redis-")
    process = subprocess.Popen(
        [
            *(binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--dir", workdir, "--maxclients", "20000"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


def run_module(module: str, *args: str, env: dict[str, str]) -> str:
    """`python -m module args` in the project with `env`: the last line it prints, where the
    bench's seeders and probes print their JSON. Its failure raises with the end of its errors."""
    done = subprocess.run(
        [PYTHON, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed: {done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def database_url(name: str) -> str:
    return f"{POSTGRES.rsplit('/', 1)[0]}/{name}"


def django_env(database: str, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off), as docker-compose runs them, on the bench's servers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_HOST": "127.0.0.1",  # never reached: nothing the bench does sends email
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "ERROR",
        "POSTS_PER_MINUTE": "1000000",  # the bench's writers post as fast as the server takes
        "DATABASE_URL": database_url(database),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["CHANNELS_PREFIX"] = f"bench{secrets.token_hex(3)}"
    env.update(extra)
    return env


_template: list[str] = []  # the run's migrated template database, made on first use


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(sql)


def _migrated_template() -> str:
    """Migrate once per run; every benchmark's database is a copy (seconds, not a minute)."""
    if not _template:
        name = f"pioneros_bench_template_{secrets.token_hex(3)}"
        _admin(f'CREATE DATABASE "{name}"')
        atexit.register(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        migrated = subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=django_env(name),
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed: {migrated.stderr[-2000:]}")
        _template.append(name)
    return _template[0]


@contextlib.contextmanager
def database(label: str):
    """A new, migrated PostgreSQL database; yields its name and drops it afterwards."""
    name = f"pioneros_bench_{label}_{secrets.token_hex(3)}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{_migrated_template()}"')
    try:
        yield name
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyze(name: str) -> None:
    """Fresh planner statistics for a seeded database, as autovacuum keeps them on a live one
    (without them a fresh table is planned as if empty)."""
    with psycopg.connect(database_url(name), autocommit=True) as seeded:
        seeded.execute("VACUUM ANALYZE")


_sqlite_template: list[Path] = []  # the same for SQLite, as `make run` serves the app


def sqlite_database(folder: str, name: str) -> str:
    """The URL of a new, migrated SQLite database in `folder`: a copy of the run's template."""
    if not _sqlite_template:
        workdir = tempfile.mkdtemp(prefix="pioneros-bench-sqlite-")
        atexit.register(shutil.rmtree, workdir, True)
        template = Path(workdir) / "template.sqlite3"
        migrated = subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env={**django_env("unused"), "DATABASE_URL": f"sqlite:///{template}"},
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed: {migrated.stderr[-2000:]}")
        _sqlite_template.append(template)
    copy = Path(folder) / name
    shutil.copyfile(_sqlite_template[0], copy)
    return f"sqlite:///{copy}"


# The server production runs (docker-compose.yml, the Dockerfile): the one judged against the
# targets; the others are measured beside it in the full run.
PRODUCTION = "uvicorn"
LABELS = {"daphne": "Daphne", "granian": "Granian", "uvicorn": "Uvicorn"}

SERVERS = {
    "daphne": lambda port: [
        *(PYTHON, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(port)),
        "config.asgi:application",
    ],
    # Uvicorn as production runs it (config/serve_uvicorn.py): uvloop, httptools, the sans-I/O
    # websockets protocol, its access log on.
    "uvicorn": lambda port: [
        *(PYTHON, "-m", "config.serve_uvicorn", "config.asgi:application"),
        *("--host", "127.0.0.1", "--port", str(port)),
    ],
    # Granian, a Rust ASGI server, as `make run ASGI_SERVER=granian` serves it (its access log
    # on, as Daphne's): one worker, as the others run one process.
    "granian": lambda port: [
        *(PYTHON, "-m", "config.serve_granian", "config.asgi:granian_application"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
    ],
    "bare": lambda port: [PYTHON, "-m", "bench.bare", "--port", str(port)],
    # The Channels tutorial's chat consumer on production's server and the same layer: the
    # peer reference.
    "peer": lambda port: [
        *(PYTHON, "-m", "config.serve_uvicorn", "bench.tutorial_chat:application"),
        *("--host", "127.0.0.1", "--port", str(port)),
    ],
}


def launch(kind: str, env: dict[str, str], port: int, log=None, *, group=False):
    """Start a server process of `kind` on `port`; with `group`, in a process group of its own,
    which `kill` ends at once, workers included (Granian's worker is a child process)."""
    return subprocess.Popen(
        SERVERS[kind](port),
        cwd=ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        start_new_session=group,
    )


def kill(process: subprocess.Popen) -> None:
    """SIGKILL to a `launch(..., group=True)` server and its workers: a crash, not a stop."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def server_log():
    # BENCH_SERVER_LOG=path keeps the servers' output, to see why a socket was refused.
    path = os.environ.get("BENCH_SERVER_LOG")
    return open(path, "a") if path else None  # closed by whoever stops the server


@contextlib.contextmanager
def server(kind: str, env: dict[str, str]):
    """One server process of `kind`; yields (port, pid) once it accepts connections."""
    port = free_port()
    log = server_log()
    process = launch(kind, env, port, log)
    try:
        if kind == "bare":
            wait_for_port(port, process)
        else:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield port, process.pid
    finally:
        stop(process)
        if log:
            log.close()


def _tree(pid: int) -> list[int]:
    """A server process and its descendants: Granian serves from a worker process it starts,
    and its sockets and memory are the worker's."""
    found = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                found += _tree(int(child))
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of a server now: the process and its workers."""
    total = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    if not total:
        raise RuntimeError(f"no VmRSS for {pid}")
    return total


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for member in _tree(pid):
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{member}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
    return inodes


def tcp_connections(pid: int, *, local_port: int | None = None, remote_port: int | None = None):
    """Established TCP connections the server (and its workers) holds, by local or remote
    port."""
    inodes, count = _socket_inodes(pid), 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                if state != "01" or inode not in inodes:
                    continue
                if local_port is not None and int(local.rsplit(":", 1)[1], 16) != local_port:
                    continue
                if remote_port is not None and int(remote.rsplit(":", 1)[1], 16) != remote_port:
                    continue
                count += 1
    return count


def commit() -> str:
    """The commit measured, marked when the checkout holds changes not yet committed."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _cpu_times() -> tuple[int, int]:
    """Busy and total jiffies of every core since boot (/proc/stat's first line). Waiting
    for I/O counts as busy: PostgreSQL writing out what a benchmark left slows every commit.
    The two guest fields are already counted in the user time, and left out."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0]
    fields = [int(field) for field in first.split()[1:9]]
    return sum(fields) - fields[3], sum(fields)


def settle(*, busy_below: float = 0.1, quiet_seconds: int = 3, at_most: int = 120) -> float | None:
    """Wait until the machine is quiet: less than `busy_below` of its cores busy for
    `quiet_seconds` in a row, with the bench itself asleep. What a benchmark leaves behind
    (PostgreSQL vacuuming a million ledger entries, a dropped database's files) would
    otherwise be timed in the next one's pages. Returns the seconds waited, or None if it
    gave up after `at_most`: the row's load and pace then say the machine was not quiet."""
    started = time.monotonic()
    quiet = 0
    busy, total = _cpu_times()
    while quiet < quiet_seconds:
        if time.monotonic() - started >= at_most:
            return None
        time.sleep(1)
        now_busy, now_total = _cpu_times()
        share = (now_busy - busy) / max(now_total - total, 1)
        busy, total = now_busy, now_total
        quiet = quiet + 1 if share < busy_below else 0
    return time.monotonic() - started


def loop_ms() -> float:
    """Milliseconds of a fixed loop of pure Python, once."""
    started = time.perf_counter()
    total = 0
    for number in range(50_000):
        total += number * number % 7
    return (time.perf_counter() - started) * 1000


def pace(runs: int = 41) -> float:
    """How fast this machine runs Python now: the median of `runs` of `loop_ms`. Machines of
    the same kind have differed by 2.3 times in it from one session to the next (2.67 and 6.06
    ms), and every server-time figure with them; a row's pace says which it was measured on."""
    return statistics.median(loop_ms() for _ in range(runs))
