"""Reads (and updates) the ORM builds and compiles once per process, then runs with each
call's values.

Building and compiling even a narrow statement costs Django about a millisecond of Python,
several times what PostgreSQL spends answering it, and a home page runs twenty
(docs/performance.md). A compiled read is written as an ordinary queryset whose per-call
values are parameters (`p.member`): the first call of each shape builds and compiles it,
later calls bind their values to the same SQL and read the rows through the same compiler,
so they come back as the ORM gives them (models, select_related, only(), values_list(),
prefetch_related()).

    @compiled_read(shape=("limit",))
    def _upcoming(p, *, limit):
        return Session.objects.filter(host_id=p.member, starts_at__gte=p.now)[:limit]

    _upcoming(member=user.pk, now=timezone.now(), limit=5)  # a list

A parameter is one value compared in SQL (=, <, >=, ...), never None, and a model is
passed as its primary key; `p.many("ids")` is a list of ids (or, `of=str`, of strings) for
`__in`, one parameter whatever its length. Whatever changes the SQL itself (a limit,
whether a filter applies) is shape: a keyword the builder takes directly, which keys the
compiled statement. A statement is kept per shape, time zone and language (both can enter
the SQL). The builder sees parameters, never values, so it cannot branch on them; a value it
takes for itself (timezone.now()) is refused when it is built.

A read may lock its rows (`select_for_update()`): it runs only inside a transaction, as the
ORM's does, and is first built there too. `compiled_update` does the same for an update.
"""

import datetime
import functools
import json
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import Expression, Field, Func, IntegerField, Model, Prefetch, QuerySet
from django.db.models.sql import UpdateQuery
from django.db.transaction import TransactionManagementError
from django.utils import timezone, translation

SHAPES_KEPT = 64  # statements one read or update keeps, across shapes, time zones, languages


class _Marker:
    """Where a parameter's value goes among a statement's parameters."""

    __slots__ = ("many", "name")

    def __init__(self, name: str, many: bool = False):
        self.name = name
        self.many = many

    def __deepcopy__(self, memo):
        return self  # a copied query holds the same one

    def __eq__(self, other):
        return isinstance(other, _Marker) and (other.name, other.many) == (self.name, self.many)

    def __hash__(self):
        return hash(self.name)


class Parameter(Expression):
    """One value of a compiled read, bound when it runs."""

    def __init__(self, name: str):
        super().__init__(output_field=Field())
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [_Marker(self.name)]

    def get_group_by_cols(self):
        return []  # a value, not a column


class Values(Parameter):
    """Several values of one type, bound as one parameter, for `__in`: the statement is the
    same however many they are. PostgreSQL unnests an array; SQLite reads a JSON list."""

    def __init__(self, name: str, of: type):
        super().__init__(name)
        self.of = of

    def as_sql(self, compiler, connection):
        marker = [_Marker(self.name, many=True)]
        if connection.vendor == "postgresql":
            return f"SELECT unnest(%s::{_ARRAYS[self.of]}[])", marker
        return "SELECT value FROM json_each(%s)", marker


_ARRAYS = {int: "bigint", str: "text"}


class _Parameters:
    """What a builder gets as `p`: each attribute it reads is a parameter of that name, and
    `p.many(name, of=int)` several values of one parameter."""

    def __init__(self):
        self.used: set[str] = set()

    def __getattr__(self, name: str) -> Parameter:
        if name.startswith("_"):
            raise AttributeError(name)
        self.used.add(name)
        return Parameter(name)

    def many(self, name: str, *, of: type = int) -> Values:
        if of not in _ARRAYS:
            raise TypeError(f"A compiled read's values are one of {sorted(map(str, _ARRAYS))}")
        self.used.add(name)
        return Values(name, of)


class _Prepared:
    """A built query that answers the compiler made for this run instead of a new one."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


@dataclass(frozen=True)
class _Statement:
    queryset: QuerySet = field(repr=False)  # never evaluated: it holds markers
    compiler: object
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, bool], ...]  # (position among params, name, several?)
    names: frozenset[str]
    locks: bool  # FOR UPDATE, where the database locks rows


def _adapted_many(values, connection):
    if isinstance(values, (str, bytes, Model)) or not isinstance(values, Iterable):
        raise TypeError("A compiled read's several values come as a list.")
    values = list(values)
    if any(value is None or isinstance(value, Model) for value in values):
        raise TypeError("Pass a compiled read's several values as primary keys, never None.")
    return values if connection.vendor == "postgresql" else json.dumps(values)


def _adapted(value, connection):
    """A value as the field compared with it would hand it to the database."""
    if value is None or isinstance(value, (list, tuple, set, frozenset, dict, QuerySet)):
        raise TypeError("A compiled statement's parameter is one value; a list or None is shape.")
    if isinstance(value, Model):
        raise TypeError("Pass a model to a compiled statement as its primary key.")
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        # The ORM answers no rows for such a lookup; here the caller says what it means.
        raise ValueError(f"{value} is beyond any integer column: check it before the read")
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, Decimal):
        return connection.ops.adapt_decimalfield_value(value)
    return value


def _shallow(thing):
    twin = object.__new__(type(thing))
    twin.__dict__.update(thing.__dict__)
    return twin


class _Compiled:
    """A statement per shape, built on its first call; each call binds its own values."""

    def __init__(self, build: Callable, shape: Iterable[str]):
        self._build = build
        self._shape = tuple(shape)
        self._statements: dict[Hashable, _Statement] = {}
        self._compiling = threading.Lock()
        functools.update_wrapper(self, build)

    def _bound(self, values: dict) -> tuple[_Statement, list, object]:
        """The call's statement, its parameters with the call's values, and the connection."""
        shape = {name: values.pop(name) for name in self._shape}
        key = (
            tuple(shape.values()),
            timezone.get_current_timezone_name(),
            translation.get_language(),
        )
        statement = self._statements.get(key)
        if statement is None:
            with self._compiling:
                statement = self._statements.get(key) or self._kept(key, self._compile(shape))
        if statement.names != values.keys():
            raise TypeError(
                f"{self.__name__} takes {sorted(statement.names)}, was given {sorted(values)}"
            )
        connection = connections[statement.queryset.db]
        if statement.locks and connection.get_autocommit():
            # What Django checks as it compiles: a lock outside a transaction holds nothing.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        params = list(statement.params)
        for position, name, many in statement.slots:
            adapt = _adapted_many if many else _adapted
            params[position] = adapt(values[name], connection)
        return statement, params, connection

    def _kept(self, key: Hashable, statement: _Statement) -> _Statement:
        if len(self._statements) >= SHAPES_KEPT:
            # Shapes are few by design; should a caller make one per person, the oldest goes
            # rather than the process growing.
            self._statements.pop(next(iter(self._statements)))
        self._statements[key] = statement
        return statement

    def _compile(self, shape: dict) -> _Statement:
        p = _Parameters()
        queryset, compiler = self._compiler(self._build(p, **shape))
        sql, params = compiler.as_sql()
        # Built again, it must say the same: a time or anything else the builder took for
        # itself (timezone.now() in a helper) would otherwise stand still for every call.
        if self._compiler(self._build(_Parameters(), **shape))[1].as_sql() != (sql, params):
            raise TypeError(f"{self.__name__}: pass times to a compiled statement as parameters")
        slots = tuple(
            (position, param.name, param.many)
            for position, param in enumerate(params)
            if isinstance(param, _Marker)
        )
        if {name for _, name, _ in slots} != p.used:
            # Django left out a filter holding a parameter, or wrapped its value: the SQL
            # would not say what the builder wrote.
            raise TypeError(f"{self.__name__}: a parameter did not reach the SQL as a value")
        return _Statement(
            queryset=queryset,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            slots=slots,
            names=frozenset(p.used),
            locks=bool(queryset.query.select_for_update)
            and compiler.connection.features.has_select_for_update,
        )


class CompiledRead(_Compiled):
    def __call__(self, **values) -> list:
        statement, params, connection = self._bound(values)
        # Copies, so that threads running one statement at once share nothing they change;
        # copy.copy() would evaluate a queryset.
        compiler = _shallow(statement.compiler)
        compiler.connection = connection
        sql = statement.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        queryset = _shallow(statement.queryset)
        queryset._query = _Prepared(statement.queryset.query, compiler)
        return list(queryset)

    def _compiler(self, queryset: QuerySet) -> tuple[QuerySet, object]:
        if any(isinstance(lookup, Prefetch) for lookup in queryset._prefetch_related_lookups):
            # Its queryset would be shared by every call, and Django writes on it.
            raise TypeError(f"{self.__name__}: prefetch a Prefetch after the read")
        return queryset, queryset.query.get_compiler(using=queryset.db)


class CompiledUpdate(_Compiled):
    """`queryset.update(**changes)`, built once: the builder returns both."""

    def __call__(self, **values) -> int:
        statement, params, connection = self._bound(values)
        # As QuerySet.update: a failed update spoils the transaction it runs in.
        with (
            transaction.mark_for_rollback_on_error(using=connection.alias),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.sql, params)
            return cursor.rowcount

    def _compiler(self, built: tuple[QuerySet, dict]) -> tuple[QuerySet, object]:
        queryset, changes = built
        if queryset.query.is_sliced or queryset.query.combinator:
            # QuerySet.update refuses both; compiled, the slice would silently go.
            raise TypeError(f"{self.__name__}: update a filtered queryset, not a slice or union")
        # The database is chosen once, with the statement: the project routes nothing.
        queryset = queryset.using(router.db_for_write(queryset.model))
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        if query.related_updates:
            raise TypeError(f"{self.__name__}: one table per compiled update")
        query.annotations = {}  # as QuerySet.update: none reaches the statement
        return queryset, query.get_compiler(using=queryset.db)


# COUNT(*) as a plain function: an aggregate in values_list() would group by the key.
_ROWS = Func(template="COUNT(*)", output_field=IntegerField())


def counted(queryset: QuerySet) -> QuerySet:
    """The query's number of rows, as a one-row values_list: `(n,) = read(...)`."""
    return queryset.order_by().values_list(_ROWS, flat=True)


def compiled_read(
    *, shape: Iterable[str] = ()
) -> Callable[[Callable[..., QuerySet]], CompiledRead]:
    def decorate(build: Callable[..., QuerySet]) -> CompiledRead:
        return CompiledRead(build, shape)

    return decorate


def compiled_update(
    *, shape: Iterable[str] = ()
) -> Callable[[Callable[..., tuple[QuerySet, dict]]], CompiledUpdate]:
    """An update the same way: the builder returns the rows' queryset and the changes, and a
    call returns the number of rows changed.

        @compiled_update()
        def _read(p):
            return Notification.objects.filter(pk=p.notice), {"read_at": p.now}
    """

    def decorate(build: Callable[..., tuple[QuerySet, dict]]) -> CompiledUpdate:
        return CompiledUpdate(build, shape)

    return decorate
