"""core.inserts.insert writes the row Model.save() writes, in one statement, and falls back to
save() where the two could differ."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import Value, signals
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from frukost.core.inserts import insert
from frukost.core.models import AuditLog
from frukost.mail.models import OutboxMessage
from frukost.registrations.models import Registration

pytestmark = pytest.mark.django_db


def _stored(model, pk) -> dict:
    """The row as the database has it, read back through the ORM."""
    row = model.objects.filter(pk=pk).values().get()
    row.pop("id")
    return row


def _registration(event, email: str) -> Registration:
    return Registration(
        event=event,
        first_name="Anna",
        last_name="Svensson",
        email=email,
        workplace="Sundsvalls kommun",
        membership="member",
        diets=["gluten", "milk"],
        other_needs="Teleslinga, tack.",
        wants_future_invitations=True,
    )


def test_a_registration_is_stored_as_save_stores_it(event):
    saved = _registration(event, "anna@example.se")
    saved.save()
    inserted = _registration(event, "bo@example.se")

    with CaptureQueriesContext(connection) as queries:
        assert insert(inserted) is inserted

    assert len(queries) == 1
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    assert inserted.created_at is not None  # auto_now_add set on the instance, as save() does
    ours, theirs = _stored(Registration, inserted.pk), _stored(Registration, saved.pk)
    for row in (ours, theirs):
        row.pop("created_at")
        row.pop("email")
    assert ours == theirs
    assert model_to_dict(Registration.objects.get(pk=inserted.pk)) == model_to_dict(inserted)


def test_audit_entries_and_outbox_messages_are_stored_as_save_stores_them(event):
    fields = {
        "action": "registration.created",
        "organisation_id": event.organisation_id,
        "event_id": event.pk,
    }
    saved, inserted = (
        AuditLog(**fields, data={"status": "registered"}),
        AuditLog(**fields, data={"status": "registered"}),
    )
    saved.save()
    insert(inserted)
    ours, theirs = _stored(AuditLog, inserted.pk), _stored(AuditLog, saved.pk)
    assert ours.pop("at") >= theirs.pop("at")
    assert (
        ours
        == theirs
        == {**fields, "actor_id": None, "registration_id": None, "data": {"status": "registered"}}
    )

    with transaction.atomic():
        message = insert(OutboxMessage(kind="receipt", to="anna@example.se", subject="Tack", body_text="Hej"))
        twin = OutboxMessage.objects.create(
            kind="receipt", to="anna@example.se", subject="Tack", body_text="Hej"
        )
    ours, theirs = _stored(OutboxMessage, message.pk), _stored(OutboxMessage, twin.pk)
    for row in (ours, theirs):
        row.pop("created_at")
        row.pop("next_attempt_at")
    assert ours == theirs


def test_rows_one_after_another_get_their_own_ids(event):
    first, second = insert(AuditLog(action="a")), insert(AuditLog(action="b"))

    assert first.pk != second.pk
    assert AuditLog.objects.get(pk=first.pk).action == "a"
    assert AuditLog.objects.get(pk=second.pk).action == "b"


def test_an_expression_value_goes_through_save(event):
    entry = insert(AuditLog(action="x", event_id=event.pk, organisation_id=Value(7)))

    assert AuditLog.objects.get(pk=entry.pk).organisation_id == 7


def test_a_model_with_a_save_receiver_goes_through_save(event):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.action)

    signals.pre_save.connect(receiver, sender=AuditLog)
    try:
        insert(AuditLog(action="heard"))
    finally:
        signals.pre_save.disconnect(receiver, sender=AuditLog)
    assert seen == ["heard"]


def test_an_instance_with_an_id_is_inserted_with_that_id(event):
    entry = insert(AuditLog(pk=10_000, action="numbered"))
    assert AuditLog.objects.get(pk=10_000).action == "numbered"
    assert entry.pk == 10_000


@pytest.mark.django_db(transaction=True)
def test_a_thread_that_inserts_leaves_nothing_behind_once_its_connection_is_gone():
    """What insert() builds is kept on the thread's own connection object: a thread that ends
    (the mail worker's restarted jobs thread, a threaded server's) takes it with it."""
    import gc
    import threading
    import weakref

    from django.db import connections

    from frukost.core import inserts, sql

    seen = {}

    def work():
        row = insert(AuditLog(action="thread"))
        own = connections["default"]
        seen["pk"], seen["kept"], seen["connection"] = (
            row.pk,
            # the models only (per_connection's store: {(function, *args): value}); no reference to it
            [key[1] for key in own.__dict__[sql._PER_CONNECTION] if key[0] is inserts._prepare.__wrapped__],
            weakref.ref(own),
        )
        connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    del thread
    gc.collect()

    assert AuditLog.objects.get(pk=seen["pk"]).action == "thread"
    assert seen["kept"] == [AuditLog]
    assert seen["connection"]() is None


def _prepared_columns():
    """Every column insert() prepares, of every model of the project's apps."""
    from django.apps import apps

    for model in apps.get_models():
        if model.__module__.startswith("frukost."):
            meta = model._meta
            for field in meta.local_concrete_fields:
                if field is not meta.auto_field and not field.generated:
                    yield field


def test_each_column_passed_as_it_is_is_what_get_db_prep_save_gives():
    """The shortcut for text, boolean, integer, date-and-time and foreign-key columns (_plain_type): the
    values it passes unchanged are exactly what the field's get_db_prep_save returns for them."""
    from frukost.core.inserts import _plain_type

    samples = {
        str: ["", "Anna", "åsa@exempel.se", "a\x00b\n", "1", "t", "True", "0", " ", "x" * 300],
        bool: [True, False],
        int: [0, 1, -1, 7, 2**31, 2**63 - 1],
        type(None): [],
    }
    kinds = {}
    for field in _prepared_columns():
        plain = _plain_type(field, connection)
        if plain is None:
            continue
        kinds[plain] = kinds.get(plain, 0) + 1
        for value in [None, *samples[plain]]:
            prepared = field.get_db_prep_save(value, connection=connection)
            assert prepared == value and type(prepared) is type(value), (field, value)
    # All kinds occur, so the comparison covered each (and the fields below are counted): on
    # PostgreSQL an integer column is adapted (wrapped) by the backend, an id is not.
    assert set(kinds) == {str, bool, int, type(None)}
    assert kinds[str] > 20 and kinds[bool] > 3 and kinds[type(None)] > 10 and kinds[int] > 20


def test_a_field_with_a_method_of_its_own_is_prepared_by_the_field():
    from django.db import models

    from frukost.core.inserts import _plain_type

    class Upper(models.CharField):
        def get_prep_value(self, value):
            return None if value is None else str(value).upper()

    class Stamp(models.DateTimeField):
        def to_python(self, value):
            return value

    assert _plain_type(models.CharField(max_length=5), connection) is str
    assert _plain_type(models.TextField(), connection) is str
    assert _plain_type(models.EmailField(), connection) is str
    assert _plain_type(models.BooleanField(), connection) is bool
    assert _plain_type(models.DateTimeField(), connection) is type(None)
    assert _plain_type(Upper(max_length=5), connection) is None
    assert _plain_type(Stamp(), connection) is None
    assert _plain_type(models.IntegerField(), connection) is (int if connection.vendor == "sqlite" else None)
    assert _plain_type(models.JSONField(), connection) is None
    assert _plain_type(models.DateField(), connection) is None


def test_a_lazy_translation_and_a_str_subclass_are_prepared_by_the_field(event):
    """Only an exact str is passed as it is: a lazy text is cast by get_prep_value, as save() does."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    class Name(str):
        pass

    registration = _registration(event, "lazy@example.se")
    registration.workplace = gettext_lazy("Workplace")
    registration.job_title = Name("Enhetschef")
    with translation.override("sv"):
        insert(registration)

    stored = _stored(Registration, registration.pk)
    assert stored["workplace"] == "Arbetsplats"
    assert stored["job_title"] == "Enhetschef"


def test_an_integer_choice_and_a_bool_in_an_integer_column_are_prepared_by_the_field(event):
    """Only an exact int is passed as it is: an IntegerChoices member (an int subclass) and True
    go through the field, which makes them plain ints, as save() does."""
    from frukost.mail.enums import Priority

    with transaction.atomic():
        message = insert(OutboxMessage(kind="x", to="anna@example.se", priority=Priority.BULK, attempts=True))

    stored = OutboxMessage.objects.filter(pk=message.pk).values_list("priority", "attempts").get()
    assert stored == (int(Priority.BULK), 1)
    assert [type(v) for v in stored] == [int, int]
