"""Queries run on nearly every request or action, compiled to SQL once per process.

For the small reads the engine and the API make again and again (the dossier
row to lock, a token and its user, a dossier's papers, documents and
history), turning the ORM queryset into SQL costs more than running it. A
``CompiledQuery`` compiles its queryset once per database, then runs the SQL
with each call's value and makes model instances from the rows the way the
ORM's own iterator does: the same converters, ``select_related`` objects,
annotations and deferred fields. Only the values change between calls: the
queryset takes each of them (a user id may appear twice, say), and its shape
must not depend on them. Where each value goes is found by compiling with two
different samples of it: the parameters that change with it are its places,
so a constant of the query that happens to equal a sample stays a constant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import NOT_PROVIDED, CharField, Field, Model, QuerySet, TextField
from django.db.models.query import RelatedPopulator, get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    value_at: tuple[tuple[int, ...], ...]  # for each value, where it goes in params
    model: type[Model]
    model_columns: slice
    attnames: list[str]
    converters: dict[int, tuple[list[Callable], Any]]
    related: list[RelatedPopulator]
    annotations: tuple[tuple[str, int], ...]  # each annotation's name and column


class CompiledQuery(Generic[M]):
    """``build(*values)`` returns the queryset for those values; ``samples``
    are values of the right types, used once to find where each goes, so
    they must differ from each other and from every constant of the query."""

    def __init__(self, build: Callable[..., QuerySet[M]], *samples: Any) -> None:
        if not samples:
            raise ValueError("give a sample of each value the query takes")
        self.build, self.samples = build, samples
        self._compiled: dict[str, _Compiled] = {}

    def all(self, *values: Any, using: str = "default") -> list[M]:
        compiled = self._compiled.get(using) or self._compile(using)
        params = list(compiled.params)
        for value, places in zip(values, compiled.value_at, strict=True):
            for place in places:
                params[place] = value
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            values = list(row)
            for index, (converters, expression) in compiled.converters.items():
                for convert in converters:
                    values[index] = convert(values[index], expression, connection)
            instance = compiled.model.from_db(using, compiled.attnames, values[compiled.model_columns])
            for populator in compiled.related:
                populator.populate(values, instance)
            for name, index in compiled.annotations:
                setattr(instance, name, values[index])
            found.append(instance)
        return found

    def first(self, *values: Any, using: str = "default") -> M | None:
        found = self.all(*values, using=using)
        return found[0] if found else None

    def _compile(self, using: str) -> _Compiled:
        queryset = self.build(*self.samples)
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        others = tuple(_other(sample) for sample in self.samples)
        other_sql, other_params = self.build(*others).query.get_compiler(using).as_sql()
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError(f"the query's shape depends on its values: {sql} / {other_sql}")
        value_at = []
        for sample, other in zip(self.samples, others, strict=True):
            at = tuple(
                index
                for index, (param, other_param) in enumerate(zip(params, other_params, strict=True))
                if _same(param, sample) and _same(other_param, other)
            )
            if not at:
                raise ValueError(f"the query does not take {sample!r}: {sql} {params!r}")
            value_at.append(at)
        if len({index for at in value_at for index in at}) != sum(map(len, value_at)):
            raise ValueError(f"the samples {self.samples!r} must differ from each other")
        if queryset._known_related_objects:
            raise ValueError("known related objects are not supported")
        select, klass_info = compiler.select, compiler.klass_info
        own = klass_info["select_fields"]
        model_columns = slice(own[0], own[-1] + 1)
        columns = [expression for expression, _sql, _alias in select[: compiler.col_count]]
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            value_at=tuple(value_at),
            model=klass_info["model"],
            model_columns=model_columns,
            attnames=[expression.target.attname for expression, _sql, _alias in select[model_columns]],
            converters=compiler.get_converters(columns),
            related=get_related_populators(klass_info, select, using),
            annotations=tuple(compiler.annotation_col_map.items()),
        )
        self._compiled[using] = compiled
        return compiled


def _same(param: Any, sample: Any) -> bool:
    return type(param) is type(sample) and param == sample


def _other(sample: Any) -> Any:
    """A second sample of the same type, to tell the value's places from constants equal to the first."""
    if isinstance(sample, bool) or not isinstance(sample, int | str):
        raise ValueError(f"samples are ints or strs, not {sample!r}")
    return sample - 1 if isinstance(sample, int) else sample + "\x01"


# Writes ---------------------------------------------------------------------------
#
# The engine writes two rows per action: the audit event (INSERT) and the dossier's
# changed columns (UPDATE). Model.save() rebuilds each statement from the model's
# metadata every time (a queryset and its filter for the UPDATE, a compiler for
# both), which cost more than running them. ``insert`` and ``update`` make each
# statement once per database and set of columns, and prepare the values as save()
# does: each field's pre_save and get_db_prep_save, so auto_now fields, JSON and
# dates are stored exactly as save() stores them. They send no pre_save/post_save
# signals: use them only for models nothing listens to (the dossier, its events).


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[Any, ...]
    # For each field, its attname if save() would send a str value of it unchanged.
    plain_text: tuple[str | None, ...]

    def params(self, instance: Model, connection, *, adding: bool) -> list[Any]:
        """Each field's value as save() prepares it (pre_save, then get_db_prep_save), but
        for a text value of a plain text field, which that preparation returns as it is."""
        params = []
        for field, attname in zip(self.fields, self.plain_text, strict=True):
            if attname is not None:
                value = getattr(instance, attname)
                if type(value) is str:
                    params.append(value)
                    continue
            params.append(field.get_db_prep_save(field.pre_save(instance, adding), connection))
        return params


def _statement(sql: str, fields: tuple[Any, ...]) -> _Statement:
    return _Statement(sql, fields, tuple(field.attname if _text_as_is(field) else None for field in fields))


def _text_as_is(field: Any) -> bool:
    """Whether ``field`` is a CharField or TextField whose save() sends a ``str`` as it is:
    Django's own pre_save and preparation (``to_python`` keeps a str), not overridden."""
    cls = type(field)
    return (
        cls.pre_save is Field.pre_save
        and cls.get_db_prep_save is Field.get_db_prep_save
        and cls.get_db_prep_value is Field.get_db_prep_value
        and cls.get_prep_value in (CharField.get_prep_value, TextField.get_prep_value)
        and cls.to_python in (CharField.to_python, TextField.to_python)
    )


def insert(instance: Model, using: str = "default") -> None:
    """``instance.save()`` of a new row: INSERT every concrete column but an auto
    primary key, and set that key from RETURNING."""
    connection = connections[using]
    statement = _insert_statement(type(instance), connection.alias)
    if statement is None:
        instance.save(using=using, force_insert=True)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params(instance, connection, adding=True))
        (pk,) = cursor.fetchone()
    _inserted(instance, pk, using)


def update(instance: Model, names: list[str], using: str = "default") -> None:
    """``instance.save(update_fields=names)`` of a stored row (nothing when ``names`` is empty)."""
    if not names:
        return
    connection = connections[using]
    statement = _update_statement(type(instance), tuple(names), connection.alias)
    if statement is None:
        instance.save(using=using, update_fields=names)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, _update_params(statement, instance, connection))
        if cursor.rowcount != 1:
            raise _gone(instance)


def insert_and_update(new: Model, instance: Model, names: list[str], using: str = "default") -> None:
    """``insert(new)`` then ``update(instance, names)``: on PostgreSQL in one statement
    (the INSERT as a data-modifying WITH of the UPDATE), so one round trip writes an
    action's event and its dossier; elsewhere, or when either falls back to save(), as two."""
    connection = connections[using]
    inserting = _insert_statement(type(new), connection.alias)
    updating = _update_statement(type(instance), tuple(names), connection.alias) if names else None
    if connection.vendor != "postgresql" or inserting is None or updating is None:
        insert(new, using)
        update(instance, names, using)
        return
    sql = _insert_then_update(inserting.sql, updating.sql, type(new), connection.alias)
    params = inserting.params(new, connection, adding=True) + _update_params(updating, instance, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        raise _gone(instance)
    _inserted(new, row[0], using)


@cache
def _insert_then_update(inserting: str, updating: str, model: type[Model], alias: str) -> str:
    """One statement of the two: the UPDATE's RETURNING gives the key of the new ``model``
    row, and no row when there was nothing to update."""
    pk = connections[alias].ops.quote_name(model._meta.pk.column)
    return f"WITH inserted AS ({inserting}) {updating} RETURNING (SELECT {pk} FROM inserted)"  # noqa: S608


# Each statement is made once per database and model (and set of columns); None, kept
# too, where only save() can write.
@cache
def _insert_statement(model: type[Model], alias: str) -> _Statement | None:
    """The INSERT … RETURNING of ``model``, or None where only save() can write it."""
    connection = connections[alias]
    meta, quote = model._meta, connection.ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if f is not meta.auto_field)
    if not (
        connection.features.can_return_columns_from_insert
        and meta.db_returning_fields == [meta.auto_field]
        and _plain(fields)
    ):
        return None
    # Identifiers from the model's metadata, quoted; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    return _statement(sql, fields)


@cache
def _update_statement(model: type[Model], names: tuple[str, ...], alias: str) -> _Statement | None:
    """The UPDATE of ``names`` by primary key, or None where only save() can write them."""
    connection = connections[alias]
    meta, quote = model._meta, connection.ops.quote_name
    fields = tuple(meta.get_field(name) for name in names)
    if not _plain(fields):
        return None
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(meta.pk.column),
    )
    return _statement(sql, fields)


def _update_params(statement: _Statement, instance: Model, connection) -> list[Any]:
    params = statement.params(instance, connection, adding=False)
    params.append(instance._meta.pk.get_db_prep_value(instance.pk, connection))
    return params


def _gone(instance: Model) -> Exception:
    return type(instance).DoesNotExist(f"No {instance._meta.model_name} with id {instance.pk} to update.")


def _inserted(instance: Model, pk: Any, using: str) -> None:
    instance.pk = pk
    instance._state.adding, instance._state.db = False, using


def _plain(fields: tuple[Any, ...]) -> bool:
    """Whether each field's value goes in as a plain ``%s`` (no SQL placeholder of its own,
    no default or value computed by the database)."""
    return not any(
        hasattr(field, "get_placeholder") or field.generated or field.db_default is not NOT_PROVIDED for field in fields
    )
