"""Real processes for fault and load tests: a fresh PostgreSQL database, own redis-server, and
the app's server (Uvicorn, as production serves it, Daphne, as `make run` does, or Granian).

Everything listens on free loopback ports and is stopped (databases dropped) by the fixtures
that use it, so a test may kill and restart what it likes without touching shared servers.
"""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
DB_PREFIX = "pioneros_helper_faults"
APP = "config.asgi:application"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, every=0.1):
    """Poll until `condition()` is truthy; on a loaded machine, never guess a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def rss_kib(pid: int) -> int:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


class RedisServer:
    """One redis-server without persistence: a restart loses every group, as in production."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _listening(self.port), timeout=20, what=f"redis on {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
        wait_for(lambda: not _listening(self.port), timeout=10, what="redis to stop")


class Server:
    """One server process serving config.asgi as shipped, its log kept in a file (a pipe
    could fill). Its own session, so that a crash takes its workers with it."""

    name = ""

    def __init__(self, env: dict, workdir: Path, name: str):
        self.port = free_port()
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(port={self.port})"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        # Once on a CI run (load 5 on 2 cores), a server died while importing the app, with
        # nothing in its log; the next start of the same command served. A server that dies
        # before it ever answers is started once more, its exit status kept in the log; one
        # that dies again fails the test.
        for attempt in (1, 2):
            status = self._start_once()
            if status is None:
                return
            with self.log_path.open("a") as log:
                log.write(f"\n[test harness] start {attempt} exited with status {status}\n")
        raise RuntimeError(f"{self!r} exited twice before answering:\n{self.log()}")

    def _start_once(self) -> int | None:
        """None once the server answers; its exit status if it dies before."""
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return self.process.returncode
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2):
                    return None
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self!r} did not answer within 60 s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """Die as a crash would, workers and all: no goodbye to the sockets."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None:  # a worker its server left behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)

    @property
    def rss_kib(self) -> int:
        """Resident memory of the server and its workers."""
        return sum(rss_kib(pid) for pid in _tree(self.process.pid))


class Daphne(Server):
    """`python -m config.serve`: what `make run` serves, one process."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "config.serve", "-b", "127.0.0.1", "-p", str(self.port), APP]


class Granian(Server):
    """`python -m config.serve_granian`: another server, one worker process under
    Granian's own supervising process."""

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "config.serve_granian", "config.asgi:granian_application"),
            *("--host", "127.0.0.1", "--port", str(self.port)),
        ]


class Uvicorn(Server):
    """`python -m config.serve_uvicorn`: one process on uvloop, httptools and the sans-I/O
    websockets protocol."""

    def command(self) -> list[str]:
        return [
            *(sys.executable, "-m", "config.serve_uvicorn", APP),
            *("--host", "127.0.0.1", "--port", str(self.port)),
        ]


SERVERS = {"daphne": Daphne, "granian": Granian, "uvicorn": Uvicorn}
PRODUCTION = "uvicorn"  # docker-compose.yml and the Dockerfile (docs/performance.md)


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, from /proc (Linux)."""
    found = [pid]
    for tasks in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in tasks.read_text().split():
            found += _tree(int(child))
    return found


class Databases:
    """Fresh PostgreSQL databases, each a copy of one migrated template (migrating is slow)."""

    def __init__(self, admin_url: str, readers: int):
        self.admin_url = admin_url
        self.readers = readers
        self.template = f"{DB_PREFIX}_tpl_{secrets.token_hex(4)}"
        self.made: list[str] = []
        self.data: dict = {}  # what seed() made in the template, the same in every copy

    def url(self, name: str) -> str:
        return f"{self.admin_url.rsplit('/', 1)[0]}/{name}"

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(sql)

    def prepare(self) -> None:
        self._admin(f'CREATE DATABASE "{self.template}"')
        self.made.append(self.template)
        migrated = manage(self.url(self.template), "migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr
        self.data = seed(self.url(self.template), self.readers)

    def fresh(self) -> str:
        name = f"{DB_PREFIX}_{secrets.token_hex(4)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        for name in reversed(self.made):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


def base_env(*, database_url: str, redis_url: str | None, **extra: str) -> dict:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url,
        "CHANNELS_PREFIX": f"faults-{secrets.token_hex(4)}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "WARNING",
        # The writers of these tests post faster than any member may (docs/realtime.md).
        "POSTS_PER_MINUTE": "100000",
        **extra,
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def manage(database_url: str, *args: str, env: dict | None = None, timeout=300):
    env = env or base_env(database_url=database_url, redis_url=None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


SEED = """
import json, sys, django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from forums import services
from network import services as network
from network.models import Membership, User

readers = int(sys.argv[1])

def session(user):
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return store.session_key

writer = User.objects.create_user(email="writer@example.org", password=None)
cluster = network.create_cluster(creator=writer, name="Faults", sector="agrifood",
                                 country="CO", visibility="private")
sessions = []
for i in range(readers):
    user = User.objects.create_user(email=f"reader{i}@example.org", password=None)
    Membership.objects.create(user=user, cluster=cluster, role="follower", status="active")
    sessions.append(session(user))
room = services.forum_of(cluster)
topic = services.start_topic(room=room, author=writer, title="Live", body="First")

# A mentor asked by the first reader, who also has the mentor among their suggestions.
from datetime import timedelta
from django.utils import timezone
from mentoring.services import offers, pairings
from mentoring.models import Suggestion
mentor = User.objects.create_user(email="mentor@example.org", password=None)
Membership.objects.create(user=mentor, cluster=cluster, role="mentor", status="active")
offer = offers.save_offer(user=mentor, cluster=cluster, capacity=3)
follower = User.objects.get(email="reader0@example.org")
pairing = pairings.request_mentor(follower=follower, offer=offer)
Suggestion.objects.create(follower=follower, offer=offer, score=1,
                          expires_at=timezone.now() + timedelta(days=30))
print(json.dumps({"topic": topic.pk, "room": room.pk, "cluster": cluster.slug,
                  "writer": session(writer), "readers": sessions,
                  "first_event": topic.last_event_id, "mentor": session(mentor),
                  "offer": offer.pk, "pairing": pairing.pk, "follower": follower.pk}))
"""


def seed(database_url: str, readers: int) -> dict:
    """A private cluster, `readers` signed-in followers and a writer (its coordinator)."""
    env = base_env(database_url=database_url, redis_url=None)
    made = subprocess.run(
        [sys.executable, "-c", SEED, str(readers)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout.strip().splitlines()[-1])


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="pioneros-faults-"))


class TcpProxy:
    """A loopback TCP proxy to PostgreSQL that a test can cut and restore, as a network would.

    Cutting closes the listening socket and every open connection: new connections are
    refused and open ones die, which is what a lost database looks like from Django.
    """

    def __init__(self, target_port: int):
        self.port = free_port()
        self.target_port = target_port
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self._lock:
            self._open.discard(end)
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            self._listener.close()
            self._listener = None
        with self._lock:
            ends = list(self._open)
        for end in ends:
            self._close(end)

    restore = start

    def stop(self) -> None:
        self.cut()


class SmtpServer:
    """A small SMTP server on loopback that can refuse messages or be down, and counts them."""

    def __init__(self):
        self.port = free_port()
        self.accepted: list[str] = []  # the RCPT TO of every message accepted, in order
        self.refuse_next = 0  # answer "451 try later" to this many messages
        self.refused = 0
        self.hold_next = 0  # never answer this many messages: the sender hangs mid-send
        self.holding = threading.Event()  # set once a message is being held
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        with client, client.makefile("rb") as lines:

            def say(text: str) -> None:
                client.sendall(f"{text}\r\n".encode())

            say("220 faults ESMTP")
            recipients: list[str] = []
            for raw in lines:
                command = raw.decode(errors="replace").strip()
                verb = command[:4].upper()
                if verb in {"EHLO", "HELO"}:
                    say("250 faults")
                elif verb == "MAIL":
                    recipients = []
                    say("250 OK")
                elif verb == "RCPT":
                    recipients.append(command.split(":", 1)[1].strip(" <>"))
                    say("250 OK")
                elif verb == "DATA":
                    say("354 End data with <CR><LF>.<CR><LF>")
                    for line in lines:
                        if line in {b".\r\n", b".\n"}:
                            break
                    with self._lock:
                        hold = self.hold_next > 0
                        self.hold_next -= hold
                    if hold:
                        # Not accepted: wait, without a word, until the sender goes away.
                        self.holding.set()
                        lines.read()
                        return
                    with self._lock:
                        refuse = self.refuse_next > 0
                        if refuse:
                            self.refuse_next -= 1
                            self.refused += 1
                        else:
                            self.accepted += recipients
                    say("451 Try again later" if refuse else "250 Queued")
                elif verb == "QUIT":
                    say("221 Bye")
                    return
                else:
                    say("250 OK")  # RSET, NOOP
