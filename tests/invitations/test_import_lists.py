"""Classifying an import's rows and creating the list: what happens to each row, all or nothing."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from frukost.contacts.services import record_consent
from frukost.contacts.suppression import suppress
from frukost.core.models import AuditLog
from frukost.events.models import Organisation
from frukost.events.services import create_series
from frukost.invitations import importing, services, staging
from frukost.invitations.exceptions import NothingToImport, UploadExpired
from frukost.invitations.importing import Person
from frukost.invitations.models import InvitationList, Invitee
from frukost.registrations.services import register
from tests.conftest import make_person
from tests.invitations import files

pytestmark = pytest.mark.django_db


def _people(*emails):
    return [Person(line=n, email=e, first_name=f"P{n}") for n, e in enumerate(emails, start=2)]


def _kinds(preview):
    return [(row.person.line, row.kind, row.reason, row.first_line) for row in preview.rows]


def test_classify_says_what_happens_to_each_row_with_its_line(event_factory, organisation):
    event = event_factory()
    register(event=event, person=make_person("registrerad@example.se"))
    suppress(organisation=organisation, email="avregistrerad@example.se", reason="unsubscribed")
    suppress(organisation=organisation, email="studsar@example.se", reason="bounced")
    services.create_list(
        organisation=organisation,
        target=event,
        name="Förra listan",
        people=_people("inbjuden@example.se"),
        source="file",
    )

    preview = importing.classify(
        _people(
            "ny@example.se",
            "Registrerad@Example.se",
            "inbjuden@example.se",
            "avregistrerad@example.se",
            "studsar@example.se",
            "saknar-snabel-a.example.se",
            "NY@example.se",
        ),
        organisation_id=organisation.pk,
        target=event,
    )

    assert _kinds(preview) == [
        (2, "new", "", None),
        (3, "registered", "", None),
        (4, "invited", "", None),
        (5, "suppressed", "unsubscribed", None),
        (6, "suppressed", "bounced", None),
        (7, "invalid", "@ is missing", None),
        (8, "duplicate", "", 2),
    ]
    assert preview.counts == {
        "new": 1,
        "invited": 1,
        "registered": 1,
        "invalid": 1,
        "duplicate": 1,
        "suppressed": 2,
    }


def test_classify_keeps_organisations_and_events_apart(event_factory, organisation):
    other_org = Organisation.objects.create(name="Vision", slug="vision")
    event, other_event = event_factory(), event_factory()
    register(event=other_event, person=make_person("registrerad@example.se"))
    suppress(organisation=other_org, email="avregistrerad@example.se", reason="unsubscribed")
    services.create_list(
        organisation=organisation,
        target=other_event,
        name="Annan",
        people=_people("inbjuden@example.se"),
        source="file",
    )

    preview = importing.classify(
        _people("registrerad@example.se", "avregistrerad@example.se", "inbjuden@example.se"),
        organisation_id=organisation.pk,
        target=event,
    )

    assert [row.kind for row in preview.rows] == ["new", "new", "new"]


def test_classify_for_a_series_looks_at_all_its_events_and_lists(event_factory, organisation):
    series = create_series(organisation=organisation, name="Chefsfrukost i Norrland")
    sundsvall, harnosand = event_factory(series=series), event_factory(series=series, city="Härnösand")
    register(event=harnosand, person=make_person("registrerad@example.se"))
    services.create_list(
        organisation=organisation,
        target=sundsvall,
        name="Sundsvall",
        people=_people("inbjuden@example.se"),
        source="file",
    )
    services.create_list(
        organisation=organisation,
        target=series,
        name="Serien",
        people=_people("serie@example.se"),
        source="file",
    )

    for_series = importing.classify(
        _people("registrerad@example.se", "inbjuden@example.se", "serie@example.se"),
        organisation_id=organisation.pk,
        target=series,
    )
    for_event = importing.classify(
        _people("serie@example.se"), organisation_id=organisation.pk, target=harnosand
    )

    assert [row.kind for row in for_series.rows] == ["registered", "invited", "invited"]
    assert [row.kind for row in for_event.rows] == ["invited"]  # the series' list invites to its events


def test_the_acceptance_file_has_47_new_people_two_bad_addresses_and_a_duplicate(event, organisation):
    table = importing.read_table(files.member_register_csv())
    people = importing.people_from(
        table, importing.initial_mapping(table, include_membership=True), include_membership=True
    )

    preview = importing.classify(people, organisation_id=organisation.pk, target=event)

    assert (table.encoding, table.delimiter, len(table.rows)) == ("utf-8-sig", ";", 50)
    assert preview.counts["new"] == 47
    assert [(r.person.line, r.kind, r.reason, r.first_line) for r in preview.rows if r.kind != "new"] == [
        (8, "invalid", "@ is missing", None),
        (21, "invalid", "contains a space", None),
        (34, "duplicate", "", 5),
    ]


def _query_count(rows, organisation, event):
    table = importing.read_table(files.csv_bytes(files.member_rows(rows)))
    people = importing.people_from(
        table, importing.initial_mapping(table, include_membership=True), include_membership=True
    )
    with CaptureQueriesContext(connection) as queries:
        importing.classify(people, organisation_id=organisation.pk, target=event)
    return len(queries)


def test_classify_takes_the_same_few_queries_for_100_and_2000_rows(event, organisation):
    assert _query_count(100, organisation, event) == _query_count(2000, organisation, event) == 3


def test_create_list_imports_only_the_new_rows_and_audits_the_counts(event, organisation, staff_factory):
    user = staff_factory("organiser", "olle@example.se")
    register(event=event, person=make_person("registrerad@example.se"))

    invitation_list = services.create_list(
        organisation=organisation,
        target=event,
        name="  Chefer   i Sundsvall ",
        people=_people("ny@example.se", "registrerad@example.se", "fel", "NY@example.se"),
        source="file",
        actor=user,
    )

    assert invitation_list.name == "Chefer i Sundsvall"
    assert list(invitation_list.invitees.values_list("email", "line_number", "first_name")) == [
        ("ny@example.se", 2, "P2")
    ]
    entry = AuditLog.objects.get(action="invitation_list.imported")
    counts = [entry.data[f"count_{kind}"] for kind in ("new", "registered", "invalid", "invited")]
    assert (entry.event_id, counts) == (event.pk, [1, 1, 1, 0])


def test_create_list_classifies_again_at_the_confirmation(event, organisation):
    people = _people("anna@example.se", "bo@example.se", "cecilia@example.se")
    assert importing.classify(people, organisation_id=organisation.pk, target=event).counts["new"] == 3
    # Between the preview and the confirmation: Anna registers, Bo unsubscribes.
    register(event=event, person=make_person("anna@example.se"))
    suppress(organisation=organisation, email="bo@example.se", reason="unsubscribed")

    invitation_list = services.create_list(
        organisation=organisation, target=event, name="Lista", people=people, source="file"
    )

    assert list(invitation_list.invitees.values_list("email", flat=True)) == ["cecilia@example.se"]


def test_create_list_with_nobody_new_refuses(event, organisation):
    suppress(organisation=organisation, email="anna@example.se", reason="bounced")

    with pytest.raises(NothingToImport):
        services.create_list(
            organisation=organisation,
            target=event,
            name="L",
            people=_people("anna@example.se"),
            source="file",
        )

    assert InvitationList.objects.count() == 0


def test_create_list_is_all_or_nothing(event, organisation, monkeypatch):
    original = Invitee.objects.bulk_create
    calls = []

    def fail_on_the_second_batch(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise IntegrityError("the disk is full")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(Invitee.objects, "bulk_create", fail_on_the_second_batch)
    people = [Person(line=i + 2, email=f"p{i}@example.se") for i in range(1200)]

    with pytest.raises(IntegrityError):
        services.create_list(organisation=organisation, target=event, name="L", people=people, source="file")

    assert calls == [500, 500]
    assert (InvitationList.objects.count(), Invitee.objects.count(), AuditLog.objects.count()) == (0, 0, 0)


def _staged(event, organisation, member, data):
    return staging.stage(
        data=data,
        filename="medlemmar.csv",
        organisation_id=organisation.pk,
        member_id=member.pk,
        event_id=event.pk,
    )


@pytest.fixture
def member(staff_factory, organisation):
    from frukost.accounts.models import OrganisationMember

    return OrganisationMember.objects.get(
        user=staff_factory("organiser", "olle@example.se"), organisation=organisation
    )


def test_import_upload_twice_imports_once_and_deletes_the_file(event, organisation, member, settings):
    token = _staged(event, organisation, member, files.member_register_csv())
    table = importing.read_table(files.member_register_csv())
    choices = services.FileChoices(
        mapping=importing.initial_mapping(table, include_membership=True), include_membership=True
    )

    first = services.import_upload(
        token=token, organisation=organisation, member=member, target=event, name="A", choices=choices
    )
    second = services.import_upload(
        token=token, organisation=organisation, member=member, target=event, name="A", choices=choices
    )

    assert first == second
    assert (InvitationList.objects.count(), first.invitees.count()) == (1, 47)
    assert sorted(p.suffix for p in staging.directory().iterdir()) == [".done"]  # the register itself is gone
    assert first.invitees.filter(membership="member").count() == 31


def test_import_upload_of_another_member_or_event_is_refused(
    event_factory, organisation, member, staff_factory
):
    from frukost.accounts.models import OrganisationMember

    event, other_event = event_factory(), event_factory()
    colleague = OrganisationMember.objects.get(user=staff_factory("organiser"), organisation=organisation)
    token = _staged(event, organisation, member, files.member_register_csv())

    with pytest.raises(UploadExpired):
        services.import_upload(
            token=token, organisation=organisation, member=colleague, target=event, name="A"
        )
    with pytest.raises(UploadExpired):
        services.import_upload(
            token=token, organisation=organisation, member=member, target=other_event, name="A"
        )
    with pytest.raises(UploadExpired):
        staging.load("../../etc/passwd", organisation_id=organisation.pk, member_id=member.pk)

    assert (
        staging.load(token, organisation_id=organisation.pk, member_id=member.pk).filename == "medlemmar.csv"
    )


def test_a_refused_import_keeps_the_upload_for_another_try(event, organisation, member):
    token = _staged(event, organisation, member, files.member_register_csv())

    with pytest.raises(NothingToImport):  # no e-mail column chosen: nobody would be imported
        services.import_upload(
            token=token, organisation=organisation, member=member, target=event, name="A",
            choices=services.FileChoices(mapping={"email": 1}),
        )  # fmt: skip

    assert staging.load(token, organisation_id=organisation.pk, member_id=member.pk)


def test_purge_deletes_uploads_older_than_an_hour(event, organisation, member):
    import datetime as dt

    from django.utils import timezone

    from frukost.core.periodic import run_frequent_jobs

    token = _staged(event, organisation, member, b"E-post\na@example.se\n")
    run_frequent_jobs(now=timezone.now())
    assert staging.load(token, organisation_id=organisation.pk, member_id=member.pk)

    results = run_frequent_jobs(now=timezone.now() + dt.timedelta(minutes=61))

    assert results["invitations.purge_uploads"] == 2
    with pytest.raises(UploadExpired):
        staging.load(token, organisation_id=organisation.pk, member_id=member.pk)


def test_a_list_from_the_contacts_leaves_out_the_registered_and_unsubscribed(event, organisation, member):
    for email in ("anna@example.se", "bo@example.se", "cecilia@example.se"):
        record_consent(
            organisation=organisation,
            email=email,
            first_name=email[:3],
            last_name="X",
            text="Ja",
            language="sv",
        )
    register(event=event, person=make_person("anna@example.se"))
    suppress(organisation=organisation, email="bo@example.se", reason="unsubscribed")
    token = staging.stage(
        data=b"",
        filename="",
        organisation_id=organisation.pk,
        member_id=member.pk,
        event_id=event.pk,
        source="contacts",
    )

    invitation_list = services.import_upload(
        token=token, organisation=organisation, member=member, target=event, name=""
    )

    assert invitation_list.source == "contacts"
    assert list(invitation_list.invitees.values_list("email", "first_name", "line_number")) == [
        ("cecilia@example.se", "cec", None)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_import_once(event, organisation, member):
    import threading

    from django.db import connections

    token = _staged(event, organisation, member, files.member_register_csv())
    table = importing.read_table(files.member_register_csv())
    choices = services.FileChoices(mapping=importing.initial_mapping(table, include_membership=False))
    start, results = threading.Barrier(2), []

    def confirm():
        try:
            start.wait()
            results.append(
                services.import_upload(
                    token=token,
                    organisation=organisation,
                    member=member,
                    target=event,
                    name="A",
                    choices=choices,
                ).pk
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2 and results[0] == results[1]
    assert (InvitationList.objects.count(), Invitee.objects.count()) == (1, 47)
