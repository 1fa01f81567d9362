"""Model.save() for a new row, with the INSERT's SQL built once per process and connection.

    insert(AuditLog(action="registration.created", event_id=event.pk, ...))

Saving a new instance through the ORM compiles its INSERT anew every time: for the registration
(30 columns) that cost more CPU than SQLite running it (issue 10). insert() compiles the ORM's
own statement once per model and connection (the same SQL, with RETURNING for the id) and then
only prepares each column's value as the ORM does (`pre_save`, `get_db_prep_save`), runs the
statement and sets the returned id. The instance is then as save() leaves it (id set, adding
False, its database recorded).

build(Model, **values) makes the instance to insert: what Model(**values) makes, through the
positional path Django's from_db takes (see build()).

It falls back to save(force_insert=True) wherever the two could differ: a model with save
signal receivers or parents, an id already set, a value that is an expression, a database that
cannot return the id from an INSERT. It does not call the model's own save(): a model that does
something there (Registration lower-cases the address) has that done by the caller.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import signals
from django.db.models.base import DEFERRED
from django.db.models.fields import AutoFieldMixin, return_None
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.db.models.sql import InsertQuery

from frukost.core.sql import per_connection

M = TypeVar("M", bound=models.Model)


def insert(obj: models.Model, *, using: str = DEFAULT_DB_ALIAS) -> models.Model:
    """INSERT obj as a new row (what obj.save() does for a new instance) and return it."""
    connection = connections[using]
    prepared = _insertable(obj, connection)
    if prepared is None:
        obj.save(force_insert=True, using=using)
        return obj
    (compiler, _fields, _plain_types, sql, returning, converters), values = prepared
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = connection.ops.fetch_returned_insert_columns(cursor, ())
    _returned(obj, row, compiler, returning, converters, using)
    return obj


def insert_with(parent: models.Model, child: models.Model, *, field: str, using: str = DEFAULT_DB_ALIAS):
    """insert(parent), then insert(child) with child.<field> set to it (a foreign key to it, or a
    plain column for its id): on PostgreSQL in one
    statement (`WITH parent AS (INSERT … RETURNING id) INSERT child … VALUES (…, (SELECT id
    FROM parent), …)`), one round trip where there were two. Both rows or neither: an error in
    either (the parent's unique constraint) fails the statement as it would fail the first or
    the second INSERT. Elsewhere, or where either INSERT is not the plain one insert() runs
    (see insert()), the two insert()s."""
    connection = connections[using]
    link = type(child)._meta.get_field(field)
    joined = None
    if connection.vendor == "postgresql":
        parent_prepared = _insertable(parent, connection)
        child_prepared = parent_prepared and _insertable(child, connection, unset=link)
        if child_prepared:
            joined = _joined(connection, type(parent), type(child), link.name)
    if joined is None:
        insert(parent, using=using)
        _link(child, link, parent)
        insert(child, using=using)
        return
    (parent_plan, parent_values), (child_plan, child_values) = parent_prepared, child_prepared
    sql, link_index = joined
    del child_values[link_index]
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(sql, parent_values + child_values)
        parent_id, child_id = cursor.fetchone()
    _returned(parent, (parent_id,), parent_plan[0], parent_plan[4], parent_plan[5], using)
    _link(child, link, parent)
    _returned(child, (child_id,), child_plan[0], child_plan[4], child_plan[5], using)


def _link(child: models.Model, link: models.Field, parent: models.Model) -> None:
    # A foreign key to the parent is set to it; a plain id column (AuditLog.registration_id) to its id.
    if link.is_relation:
        setattr(child, link.name, parent)
    else:
        setattr(child, link.attname, parent.pk)


@per_connection
def _joined(connection, parent_model, child_model, link_name: str):
    """The statement insert_with runs, and the index of the child's link among its values;
    None where the two INSERTs are not as expected (each returns its id alone)."""
    _c, _f, _p, parent_sql, parent_returning, _v = _prepare(connection, parent_model)
    _c, child_fields, _p, child_sql, child_returning, _v = _prepare(connection, child_model)
    if [f.attname for f in parent_returning] != [parent_model._meta.pk.attname] or [
        f.attname for f in child_returning
    ] != [child_model._meta.pk.attname]:
        return None
    link_index = [f.name for f in child_fields].index(link_name)
    quote = connection.ops.quote_name
    pk = quote(parent_model._meta.pk.column)
    head, returning = child_sql.rsplit(" RETURNING ", 1)
    parts = head.split("%s")
    if len(parts) != len(child_fields) + 1:
        return None
    pieces = []
    for n, part in enumerate(parts[:-1]):
        pieces += [part, f"(SELECT {pk} FROM parent)" if n == link_index else "%s"]  # noqa: S608 - no input
    child_head = "".join(pieces) + parts[-1]
    sql = f"WITH parent AS ({parent_sql}) {child_head} RETURNING (SELECT {pk} FROM parent), {returning}"  # noqa: S608
    return sql, link_index


def _insertable(obj: models.Model, connection, *, unset: models.Field | None = None):
    """insert()'s prepared statement for obj and its values, or None where save() must do it
    (see the module's docstring). `unset`: a foreign key not set yet (insert_with sets it in
    the SQL); its value is left None."""
    model = type(obj)
    meta = model._meta
    if (
        obj.pk is not None
        or meta.parents
        or signals.pre_save.has_listeners(model)
        or signals.post_save.has_listeners(model)
        or not connection.features.can_return_columns_from_insert
    ):
        return None
    prepared = _prepare(connection, model)
    _compiler, fields, plain_types, _sql, _returning, _converters = prepared
    obj._prepare_related_fields_for_save(
        operation_name="save",
        fields=None if unset is None else [f for f in meta.concrete_fields if f is not unset],
    )
    values = []
    for field, plain_type in zip(fields, plain_types, strict=True):
        if field is unset:
            values.append(None)
            continue
        value = field.pre_save(obj, True)
        if plain_type is not None and (value is None or type(value) is plain_type):
            values.append(value)  # what get_db_prep_save returns for it (see _plain_type)
            continue
        if hasattr(value, "resolve_expression"):  # an F(), a Subquery, a db_default: the ORM's job
            return None
        values.append(field.get_db_prep_save(value, connection=connection))
    return prepared, values


def _returned(obj, row, compiler, returning, converters, using) -> None:
    """Set what the INSERT returned on obj, and leave it as save() leaves a new instance."""
    rows = [row]
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    for field, value in zip(returning, rows[0], strict=True):
        setattr(obj, field.attname, value)
    obj._state.adding = False
    obj._state.db = using


@per_connection
def _prepare(connection, model: type[models.Model]) -> tuple:
    """The ORM's INSERT for one row of `model`, compiled with stand-in values (only the
    placeholders matter: every column's is %s unless its field says otherwise); built once per
    connection object (one per thread) and model, kept on the connection (core.sql.per_connection)."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    returning = list(meta.db_returning_fields)
    query = InsertQuery(model)
    query.insert_values(fields, [model()], raw=False)
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = returning  # as execute_sql(returning_fields) sets it
    statements = compiler.as_sql()
    if len(statements) != 1:
        raise AssertionError(f"insert(): the ORM writes one {meta.label} in {len(statements)} statements")
    sql, params = statements[0]
    if compiler.returning_params or len(params) != len(fields) or sql.count("%s") != len(fields):
        raise AssertionError(f"insert(): the ORM's INSERT for {meta.label} is not one %s per column")
    converters = compiler.get_converters([f.get_col(meta.db_table) for f in returning])
    plain_types = [_plain_type(f, connection) for f in fields]
    return compiler, fields, plain_types, sql, returning, converters


# Fields as Django defines them, by the methods get_db_prep_save calls (get_db_prep_save,
# get_db_prep_value, get_prep_value, to_python): those that pass a value of one type unchanged, and
# None as None (integers and ids below). Text and boolean fields: get_prep_value casts a lazy
# translation to str and to_python returns a str (CharField, TextField) or a bool (BooleanField:
# `bool(value)` for True and False) as it is, and None as None, on every database. A date and
# time, and a foreign key to anything but an id, only None (the date and time through
# connection.ops.adapt_datetimefield_value: checked per connection when the INSERT is prepared).
_DJANGOS = (models.Field.get_db_prep_save, models.Field.get_db_prep_value)
_PLAIN = {
    (*_DJANGOS, models.CharField.get_prep_value, models.CharField.to_python): str,
    (*_DJANGOS, models.TextField.get_prep_value, models.TextField.to_python): str,
    (*_DJANGOS, models.BooleanField.get_prep_value, models.BooleanField.to_python): bool,
}
_DATETIME = (
    models.Field.get_db_prep_save,
    models.DateTimeField.get_db_prep_value,
    models.DateTimeField.get_prep_value,
    models.DateTimeField.to_python,
)
_FOREIGN_KEY = (
    models.ForeignKey.get_db_prep_save,
    models.ForeignKey.get_db_prep_value,
    models.ForeignKey.get_prep_value,
    models.ForeignKey.to_python,
)
# An integer column: get_prep_value's int() returns an exact int as it is, and the database's
# adapt_integerfield_value is then all that could change it (PostgreSQL's wraps it; checked per
# connection). An id (a foreign key's target, AutoField and BigAutoField): the same int(), then
# only the database's validate_autopk_value (MySQL's refuses 0; checked per connection).
_INTEGER = (
    models.Field.get_db_prep_save,
    models.IntegerField.get_db_prep_value,
    models.IntegerField.get_prep_value,
    models.IntegerField.to_python,
)
_AUTO = (
    models.Field.get_db_prep_save,
    AutoFieldMixin.get_db_prep_value,
    models.IntegerField.get_prep_value,
    models.IntegerField.to_python,
)


def _methods(field: models.Field) -> tuple:
    cls = type(field)
    return (cls.get_db_prep_save, cls.get_db_prep_value, cls.get_prep_value, cls.to_python)


def _plain_type(field: models.Field, connection) -> type | None:
    """The type whose values (and None) the field's get_db_prep_save returns unchanged, or None.

    Preparing each column's value through its field's four nested methods was a tenth of
    insert()'s cost (issue 10); for a field whose methods are all Django's own (none overridden,
    by its class or a subclass) the value can be passed as it is (see _PLAIN).
    tests/core/test_inserts.py compares it with get_db_prep_save."""
    methods = _methods(field)
    ops = type(connection.ops)
    if methods in _PLAIN:
        return _PLAIN[methods]
    if (
        methods == _INTEGER
        and ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    ):
        return int
    if methods == _FOREIGN_KEY:
        # ForeignKey.get_db_prep_save hands a value that is not None to its target's.
        if (
            _methods(field.target_field) == _AUTO
            and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        ):
            return int
        return type(None)
    if methods == _DATETIME and connection.ops.adapt_datetimefield_value(None) is None:
        return type(None)
    return None


# Per model: (template, positions, related, calls), or None where build() leaves it to Model():
# see _build_plan.
_BUILD_PLANS: dict[type[models.Model], tuple | None] = {}
_CALL = object()  # in a template: the field's default is made anew for each instance


def build(model: type[M], /, **values) -> M:
    """model(**values): the same instance, made faster.

    Django's keyword path raises and catches a KeyError for every field not given (about 23 of
    a registration's 30) and asks each its default: 7 % of the registration POST (issue 10).
    Here the defaults that are the same object every time (what get_default() returns for a
    field without a default, or with one that is not callable) are laid out once per model, the
    given values put in their place, and the row made by Model(*args), the positional path
    Django's from_db takes; a callable default (timezone.now, list, dict) is called for each
    instance, as Django does, and a related instance is set through its descriptor afterwards,
    as the keyword path sets it (type check, cache). Anything else goes to Model(**values): a
    model with its own __init__, init signal receivers, a keyword that is not a concrete field
    (a property, a typo: Django's TypeError), a relation given both ways.
    tests/core/test_inserts.py compares the two for every model of the project.
    """
    plan = _BUILD_PLANS.get(model, _CALL)
    if plan is _CALL:
        plan = _BUILD_PLANS[model] = _build_plan(model)
    if plan is None or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**values)
    template, positions, related, calls = plan
    args = template.copy()
    objects = []
    for key, value in values.items():
        index = positions.get(key)
        if index is None:
            attname = related.get(key)
            if attname is None or attname in values or value is DEFERRED:
                return model(**values)
            objects.append((key, value))
            continue
        args[index] = value
    for index, field in calls:
        if args[index] is _CALL:
            args[index] = field.get_default()
    obj = model(*args)
    for name, value in objects:
        setattr(obj, name, value)
    return obj


def _build_plan(model: type[models.Model]) -> tuple | None:
    if model.__init__ is not models.Model.__init__ or model._meta.abstract:
        return None
    template = []
    positions: dict[str, int] = {}
    related: dict[str, str] = {}
    calls = []
    for index, field in enumerate(model._meta.concrete_fields):
        if field.generated:
            template.append(DEFERRED)  # never set from a keyword (Model.__init__ skips it)
            continue
        positions[field.attname] = index
        if isinstance(field.remote_field, ForeignObjectRel):
            related[field.name] = field.attname
        if field._get_default in (str, return_None) or (field.has_default() and not callable(field.default)):
            template.append(field.get_default())  # the very object get_default() returns each time
        else:
            template.append(_CALL)
            calls.append((index, field))
    return template, positions, related, calls
