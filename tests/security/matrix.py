"""The machinery of the authorisation matrix: route discovery, requests, and judging answers."""

import hashlib
import json
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.routes import ADMIN, ADMIN_DEFAULT, ADMIN_NAMESPACE, GET, TABLE, Probe
from tests.security.world import FORMER_ROLES, OBSERVER, ROLES, Side, World

# Written by signing in and by the API's bookkeeping, never by what a request asks for.
IGNORED_TABLES = {"django_session"}
IGNORED_COLUMNS = {("network_user", "last_login"), ("incentives_apitoken", "last_used_at")}
WRITE_DONE = {"200", "201", "204", "302"}

# What of each side each role may be shown: the names in it (the cluster's, its people's),
# what its members write and plan, and the pairing's private conversation. Everything
# else, of either side, must never appear in what the role is sent.
NAMES, CONTENT, CONVERSATION = "name", "content", "conversation"
SEES: dict[str, dict[str, set[str]]] = {
    "anonymous": {},
    "outsider": {},
    "follower": {"a": {NAMES, CONTENT, CONVERSATION}},
    "mentor": {"a": {NAMES, CONTENT, CONVERSATION}},
    "coordinator": {"a": {NAMES, CONTENT}},
    "officer": {"a": {NAMES}},  # its programme's members and clusters, not what they say
    "other_coordinator": {"b": {NAMES, CONTENT}},
    "other_officer": {"b": {NAMES}},
    "suspended_mentor": {},
    "former_coordinator": {},
    OBSERVER: {"a": {NAMES, CONTENT}},
}

# Each person of side a, sent at side b's objects, must fare as the outsider of the same
# standing does at side a's: being someone somewhere opens nothing elsewhere.
STANDS_FOR = {
    "follower": "outsider",
    "mentor": "outsider",
    "coordinator": "other_coordinator",
    "officer": "other_officer",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    params: tuple[str, ...]


def discover_routes() -> tuple[dict[str, Route], list[str]]:
    """Every named route of the URL configuration, and the patterns that have no name."""
    named: dict[str, Route] = {}
    unnamed: list[str] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, params: tuple) -> None:
        for entry in resolver.url_patterns:
            pattern = prefix + str(entry.pattern)
            found = params + _params(entry)
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, pattern, inner, found)
            elif isinstance(entry, URLPattern):
                if entry.name is None:
                    unnamed.append(f"{namespace}:{pattern}" if namespace else pattern)
                    continue
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                named.setdefault(name, Route(name, pattern, found))

    walk(get_resolver(), "", "", ())
    return named, unnamed


def _params(entry) -> tuple[str, ...]:
    pattern = entry.pattern
    if hasattr(pattern, "converters") and pattern.converters:
        return tuple(pattern.converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def probes_for(name: str, route: Route) -> list[Probe]:
    if name in TABLE:
        return TABLE[name]
    if name.startswith(f"{ADMIN_NAMESPACE}:"):
        if name in ADMIN:
            return ADMIN[name]
        values = {"object_id": "1", "app_label": "network", "content_type_id": "1"}
        kwargs = {param: values.get(param, "1") for param in route.params}
        build = (lambda s, w, kwargs=kwargs: kwargs) if kwargs else None
        return [GET(ADMIN_DEFAULT, build, scoped=False)]
    return []


def _table_reads() -> list[tuple[str, str]]:
    quote = connection.ops.quote_name
    reads = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in IGNORED_TABLES:
            continue
        columns = ", ".join(
            quote(field.column)
            for field in meta.concrete_fields
            if (meta.db_table, field.column) not in IGNORED_COLUMNS
        )
        reads.append(
            (
                meta.db_table,
                f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}",
            )
        )
    return reads


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows, by table, to tell whether a request wrote anything."""
    digests = {}
    with connection.cursor() as cursor:
        for table, sql in _table_reads():
            cursor.execute(sql)
            digests[table] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return digests


@dataclass
class Outcome:
    name: str
    probe: Probe
    role: str
    side: str
    url: str
    expected: str
    observed: str
    changed: list[str]
    leaked: list[str]

    @property
    def passed(self) -> bool:
        if self.leaked:
            return False
        if self.expected == "ok":
            return self.observed in WRITE_DONE and bool(self.changed)
        if self.expected == "ok?":
            return self.observed in WRITE_DONE
        if self.expected == "no":
            return self.observed in WRITE_DONE and not self.changed
        return self.observed == self.expected and not self.changed

    def row(self) -> str:
        what = f"{self.probe.method} {self.url}"
        notes = []
        if self.changed:
            notes.append("wrote " + ", ".join(self.changed))
        if self.leaked:
            notes.append("showed " + ", ".join(self.leaked))
        name = f"{self.name} [{self.probe.label}]" if self.probe.label else self.name
        return (
            f"{name:<50} {self.role:<18} side {self.side}  expected {self.expected:<6}"
            f" got {self.observed:<6} {what}  {'; '.join(notes)}"
        )


class Matrix:
    """Signed-in clients for every role, each request in a savepoint rolled back after."""

    def __init__(self, world: World):
        self.world = world
        self.clients: dict[str, Client] = {}
        for role in (*ROLES, *FORMER_ROLES, OBSERVER):
            client = Client(raise_request_exception=False)
            user = world.user(role)
            if user is not None:
                client.force_login(user)
            self.clients[role] = client
        self.base = fingerprint()
        self.checked = 0

    def side(self, key: str) -> Side:
        return self.world.a if key == "a" else self.world.b

    def url(self, name: str, probe: Probe, side: Side) -> str:
        kwargs = {**(probe.kwargs(side, self.world) if probe.kwargs else {}), **probe.extra}
        url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        return f"{url}?{probe.query}" if probe.query else url

    def run(self, name: str, probe: Probe, role: str, *, side: str = "a", expected=None):
        """One route for one role; `expected` overrides the table's answer for that role."""
        target = self.side(side)
        url = self.url(name, probe, target)
        client = self.clients[role]
        cookies = SimpleCookie()
        cookies.load(client.cookies.output(header="", sep=";"))
        changed: list[str] = []
        with transaction.atomic():
            response = self._send(client, role, probe, url, target)
            if probe.method != "GET":
                try:
                    after = fingerprint()
                except (DatabaseError, TransactionManagementError):
                    after = {"(the transaction broke)": ""}
                changed = sorted(
                    t for t in after.keys() | self.base.keys() if after.get(t) != self.base.get(t)
                )
            transaction.set_rollback(True)
        client.cookies = cookies
        self.checked += 1
        observed = self.observe(response)
        return Outcome(
            name=name,
            probe=probe,
            role=role,
            side=side,
            url=url,
            expected=expected or probe.expect[role],
            observed=observed,
            changed=changed,
            leaked=self.leaks(response, role, probe, side),
        )

    def _send(self, client: Client, role: str, probe: Probe, url: str, target: Side):
        headers = {}
        if probe.api:
            key = self.world.api_key(role)
            if key:
                headers["Authorization"] = f"Bearer {key}"
        data = probe.data(target, self.world) if probe.data else {}
        if probe.method == "GET":
            return client.get(url, headers=headers)
        if probe.json:
            return client.post(
                url, json.dumps(data), content_type="application/json", headers=headers
            )
        return client.post(url, data, headers=headers)

    @staticmethod
    def observe(response) -> str:
        if response.status_code in (301, 302, 303, 307, 308):
            path = urlsplit(response.headers["Location"]).path
            if path == reverse("account_login"):
                return "login"
            if path == reverse("admin:login"):
                return "staff"
            return "302"
        return str(response.status_code)

    def leaks(self, response, role: str, probe: Probe, side: str) -> list[str]:
        if response.status_code >= 300 or getattr(response, "streaming", False):
            return []
        body = response.content.decode(errors="replace")
        found = []
        for key in ("a", "b"):
            if probe.shows_private and key == side:
                continue
            allowed = SEES[role].get(key, set())
            found += [
                word
                for tier, word in self.side(key).secrets.items()
                if tier not in allowed and word in body
            ]
        return found


def table(outcomes: list[Outcome]) -> str:
    return "\n".join(outcome.row() for outcome in outcomes)
