"""Every back-office URL keeps organisations apart and roles within their rights.

The URL patterns come from Django's resolver, so a view added later is covered without anyone
remembering to list it: each is requested (GET and POST) with organisation B's objects
  - by an owner of organisation A, under B's address and under A's own  → 404,
  - by door staff of B (given B's event), for every view not meant for the door → 403 or 404,
  - by an organiser of B, for the owner-only views → 403.
A pattern with a URL argument this test does not know fails it: add the argument to OBJECTS.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from frukost.accounts import access, services
from frukost.accounts.enums import Permission, Role
from frukost.accounts.models import OrganisationMember
from frukost.events.models import Event, Organisation
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

# Back-office views outside an organisation's address, each tested on its own elsewhere.
NOT_UNDER_AN_ORGANISATION = {
    "backoffice:home",
    "backoffice:two-factor-required",
    "backoffice:invitation-accept",
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: object

    @property
    def kwargs(self) -> list[str]:
        return [k for k in self.callback_pattern_kwargs if k != "organisation"]

    @property
    def callback_pattern_kwargs(self) -> list[str]:
        import re

        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    @property
    def permission(self) -> Permission | None:
        view = self.callback
        while view is not None:
            permission = getattr(view, "permission", None)
            if permission is not None:
                return permission
            view = getattr(view, "__wrapped__", None)
        return None


def backoffice_routes() -> list[Route]:
    """Every URL pattern in the "backoffice" namespace, however deeply included."""
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or None
                full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                walk(pattern.url_patterns, prefix + str(pattern.pattern), full)
            elif isinstance(pattern, URLPattern) and namespace and namespace.split(":")[0] == "backoffice":
                assert pattern.name, f"the back-office pattern {prefix}{pattern.pattern} needs a name"
                routes.append(
                    Route(f"{namespace}:{pattern.name}", prefix + str(pattern.pattern), pattern.callback)
                )

    walk(get_resolver().url_patterns, "", None)
    return routes


ROUTES = backoffice_routes()
UNDER_AN_ORGANISATION = [r for r in ROUTES if r.name not in NOT_UNDER_AN_ORGANISATION]


# --- organisation B's objects, one per URL argument ---------------------------------------------


def _model(*names: str) -> type[models.Model] | None:
    """A model of this installation by class name (other branches add Series, Announcement, …)."""
    for model in apps.get_models():
        if model.__name__ in names:
            return model
    return None


def _fill(model: type[models.Model], world: World, **given) -> models.Model:
    """Create a row of a model whose factory this test does not know: required fields get plain values,
    and foreign keys point at organisation B's own objects."""
    values = dict(given)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in values or field.has_default() or field.null or field.blank:
            continue
        if isinstance(field, models.ForeignKey):
            target = field.related_model
            if target is Organisation:
                values[field.name] = world.organisation
            elif target is Event:
                values[field.name] = world.event
            elif target._meta.label == "registrations.Registration":
                values[field.name] = world.registration
            elif target._meta.label == "auth.User":
                values[field.name] = world.owner
            else:
                pytest.fail(
                    f"give {model.__name__}.{field.name} a value in tests/backoffice/test_isolation.py"
                )
        elif isinstance(field, models.EmailField):
            values[field.name] = "b@example.se"
        elif isinstance(field, models.SlugField):
            values[field.name] = f"b-{model.__name__.lower()}"
        elif isinstance(field, models.CharField) and field.choices:
            values[field.name] = field.choices[0][0]
        elif isinstance(field, models.CharField | models.TextField):
            values[field.name] = "B"
        elif isinstance(field, models.BooleanField):
            values[field.name] = False
        elif isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
            values[field.name] = 1
        elif isinstance(field, models.DateTimeField):
            values[field.name] = timezone.now()
        elif isinstance(field, models.DateField):
            values[field.name] = timezone.localdate()
        elif isinstance(field, models.JSONField):
            values[field.name] = {}
        else:
            pytest.fail(f"give {model.__name__}.{field.name} a value in tests/backoffice/test_isolation.py")
    return model.objects.create(**values)


def _series(world):
    from frukost.events.services import create_series

    series = create_series(organisation=world.organisation, name="Chefsfrukost i Norrland")
    Event.objects.filter(pk=world.event.pk).update(series=series)
    return series.pk


def _announcement(world):
    return _fill(_model("Announcement"), world).pk


def _contact(world):
    from frukost.contacts.services import record_consent

    return record_consent(
        organisation=world.organisation,
        email="kontakt-b@example.se",
        first_name="B",
        last_name="B",
        text="Ja",
    ).pk


def _lead(world):
    from frukost.contacts.services import record_lead

    return record_lead(
        organisation=world.organisation,
        event=world.event,
        registration_id=world.registration.pk,
        first_name="B",
        last_name="B",
        email="lead-b@example.se",
        workplace="",
        job_title="",
        language="sv",
        kind="not_member",
        answers={},
        consent_text="Ja",
    ).pk


def _suppression(world):
    from frukost.contacts.suppression import suppress

    return suppress(organisation=world.organisation, email="sparrad-b@example.se", reason="added").pk


def _upload(world):
    """An import's uploaded file, kept for B's owner between the preview and the confirmation."""
    from frukost.invitations import staging

    member = OrganisationMember.objects.get(user=world.owner, organisation=world.organisation)
    return staging.stage(
        data=b"E-post\nb@example.se\n",
        filename="b.csv",
        organisation_id=world.organisation.pk,
        member_id=member.pk,
        event_id=world.event.pk,
    )


def _invitation_list(world):
    from frukost.invitations.importing import Person
    from frukost.invitations.services import create_list

    return create_list(
        organisation=world.organisation,
        target=world.event,
        name="B",
        people=[Person(line=2, email="inbjuden-b@example.se")],
        source="file",
    ).pk


# URL argument → the id of one of organisation B's objects.
OBJECTS = {
    "event_id": lambda world: world.event.pk,
    "registration_id": lambda world: world.registration.pk,
    "member_id": lambda world: world.door_member.pk,
    "invitation_id": lambda world: world.invitation.pk,
    "series_id": _series,
    "announcement_id": _announcement,
    "contact_id": _contact,
    "lead_id": _lead,
    "suppression_id": _suppression,
    "upload": _upload,
    "list_id": _invitation_list,
    "action": lambda world: "checkin",  # the door list's buttons: checkin, undo, book, unbook
}


@dataclass
class World:
    organisation: Organisation
    event: Event
    owner: object
    registration: object = None
    door_member: OrganisationMember | None = None
    invitation: object = None
    ids: dict = dataclasses.field(
        default_factory=dict
    )  # each object is made once, the first time a URL needs it


@pytest.fixture
def world(event_factory, staff_factory) -> World:
    """Organisation B with an event, a registration, an owner, door staff and an open invitation."""
    from frukost.registrations.services import register

    b = Organisation.objects.create(name="Vision", slug="vision")
    event = event_factory(
        organisation=b,
        starts_at=timezone.now() + dt.timedelta(days=30),
        ends_at=timezone.now() + dt.timedelta(days=30, hours=2),
        registration_deadline=None,
    )
    owner = staff_factory("owner", "agare-b@example.se", of=b)
    world = World(organisation=b, event=event, owner=owner)
    world.registration = register(event=event, person=make_person("deltagare@example.se")).registration
    world.door_member = OrganisationMember.objects.get(
        user=staff_factory("door", "dorr-b@example.se", of=b, events=[event]), organisation=b
    )
    world.invitation = services.invite_member(
        organisation=b, email="ny-b@example.se", role="door", actor=owner
    ).invitation
    return world


def _kwargs(route: Route, world: World, organisation: Organisation) -> dict:
    values = {"organisation": organisation.slug}
    for name in route.kwargs:
        if name not in OBJECTS:
            pytest.fail(
                f"{route.name} takes <{name}>, which tests/backoffice/test_isolation.py does not know: "
                f"add it to OBJECTS (argument → the id of one of organisation B's objects)"
            )
        if name not in world.ids:
            world.ids[name] = OBJECTS[name](world)
        values[name] = world.ids[name]
    return values


def _statuses(client, url: str) -> tuple[int, int]:
    return client.get(url).status_code, client.post(url).status_code


# --- the tests ------------------------------------------------------------------------------------


def test_the_back_office_has_routes_under_an_organisation():
    names = {r.name for r in UNDER_AN_ORGANISATION}

    assert {"backoffice:events", "backoffice:members", "backoffice:organisation-settings"} <= names
    assert {r.name for r in ROUTES} - names == NOT_UNDER_AN_ORGANISATION


def test_every_route_under_an_organisation_takes_its_slug_first_and_checks_membership():
    wrong = [
        r.name for r in UNDER_AN_ORGANISATION if not r.route.startswith("backoffice/<slug:organisation>/")
    ]
    unguarded = [r.name for r in UNDER_AN_ORGANISATION if r.permission is None]

    assert (wrong, unguarded) == ([], [])


def test_a_member_of_another_organisation_gets_404_everywhere(client, world, staff_factory, organisation):
    client.force_login(staff_factory("owner", "agare-a@example.se", of=organisation))
    answers = {}
    for route in UNDER_AN_ORGANISATION:
        url = reverse(route.name, kwargs=_kwargs(route, world, world.organisation))
        answers[route.name] = _statuses(client, url)

    assert answers == {route.name: (404, 404) for route in UNDER_AN_ORGANISATION}


def test_another_organisations_objects_are_404_under_ones_own_organisation(
    client, world, staff_factory, organisation
):
    """A's owner, at A's own address, with B's ids: every object lookup is scoped to A.

    A request in a method the view does not take (a GET to an action that only takes POST, a POST
    to a page) answers 405 before anything is looked up: that reveals nothing. Each view must still
    answer 404 in the method it does take, which the assertion below checks.
    """
    client.force_login(staff_factory("owner", "agare-a@example.se", of=organisation))
    with_objects = [r for r in UNDER_AN_ORGANISATION if r.kwargs]
    answers = {}
    for route in with_objects:
        url = reverse(route.name, kwargs=_kwargs(route, world, organisation))
        get, post = _statuses(client, url)
        answers[route.name] = (get, post)

    assert {name: sorted(set(pair) - {405}) for name, pair in answers.items()} == {
        route.name: [404] for route in with_objects
    }


def test_another_organisations_objects_under_ones_own_event_are_404(client, world, staff_factory, event):
    """A's owner, at A's own event, with B's registration (or message …) id: the object lookup itself
    is scoped to the event, not only the event lookup before it."""
    client.force_login(staff_factory("owner", "agare-a@example.se"))
    nested = [r for r in UNDER_AN_ORGANISATION if "event_id" in r.kwargs and len(r.kwargs) > 1]
    answers = {}
    for route in nested:
        kwargs = _kwargs(route, world, event.organisation) | {"event_id": event.pk}
        answers[route.name] = _statuses(client, reverse(route.name, kwargs=kwargs))

    assert len(nested) >= 6
    assert {name: sorted(set(pair) - {405}) for name, pair in answers.items()} == {
        route.name: [404] for route in nested
    }


def test_door_staff_reach_nothing_but_the_door(client, world):
    client.force_login(world.door_member.user)
    not_for_the_door = [r for r in UNDER_AN_ORGANISATION if r.permission != Permission.CHECK_IN]
    answers = {}
    for route in not_for_the_door:
        url = reverse(route.name, kwargs=_kwargs(route, world, world.organisation))
        answers[route.name] = tuple(status in (403, 404) for status in _statuses(client, url))

    assert answers == {route.name: (True, True) for route in not_for_the_door}


def test_door_staff_reach_only_the_events_they_were_given(client, world, staff_factory, event_factory):
    other_event = event_factory(organisation=world.organisation)
    client.force_login(
        staff_factory("door", "dorr-annan@example.se", of=world.organisation, events=[other_event])
    )
    door_views_of_an_event = [
        r for r in UNDER_AN_ORGANISATION if r.permission == Permission.CHECK_IN and "event_id" in r.kwargs
    ]
    answers = {}
    for route in door_views_of_an_event:
        url = reverse(route.name, kwargs=_kwargs(route, world, world.organisation))
        answers[route.name] = client.get(url).status_code

    assert answers == {route.name: 404 for route in door_views_of_an_event}


def test_organisers_are_refused_the_owners_pages(client, world, staff_factory):
    client.force_login(staff_factory("organiser", "arr-b@example.se", of=world.organisation))
    owner_only = [r for r in UNDER_AN_ORGANISATION if r.permission not in access.PERMISSIONS[Role.ORGANISER]]
    answers = {}
    for route in owner_only:
        url = reverse(route.name, kwargs=_kwargs(route, world, world.organisation))
        answers[route.name] = _statuses(client, url)

    assert {"backoffice:members", "backoffice:organisation-settings"} <= set(answers)
    assert answers == {route.name: (403, 403) for route in owner_only}


def test_nothing_changed_in_organisation_b(client, world, staff_factory, organisation):
    """After every refused GET and POST, B's members, invitation and event are as they were."""
    client.force_login(staff_factory("owner", "agare-a@example.se", of=organisation))
    for route in UNDER_AN_ORGANISATION:
        for slug_of in (world.organisation, organisation):
            client.post(reverse(route.name, kwargs=_kwargs(route, world, slug_of)))

    world.invitation.refresh_from_db()
    assert sorted(world.organisation.memberships.values_list("user__email", "role")) == [
        ("agare-b@example.se", "owner"),
        ("dorr-b@example.se", "door"),
    ]
    assert world.invitation.is_pending
    assert Event.objects.filter(organisation=world.organisation).count() == 1


def test_the_views_outside_an_organisation_are_for_signed_in_people_or_a_secret_link(client):
    home = client.get(reverse("backoffice:home"))
    two_factor = client.get(reverse("backoffice:two-factor-required"))
    invitation = client.get(reverse("backoffice:invitation-accept", args=["no-such-token"]))

    assert (home.status_code, two_factor.status_code, invitation.status_code) == (302, 302, 404)
    assert home["Location"].startswith(reverse("account_login"))


def test_a_local_representative_reaches_nothing_but_the_leads(client, world, staff_factory):
    client.force_login(staff_factory("representative", "ombud-b@example.se", of=world.organisation))
    not_leads = [r for r in UNDER_AN_ORGANISATION if r.permission != Permission.VIEW_LEADS]
    answers = {}
    for route in not_leads:
        url = reverse(route.name, kwargs=_kwargs(route, world, world.organisation))
        answers[route.name] = tuple(status in (403, 404) for status in _statuses(client, url))

    assert {r.name for r in UNDER_AN_ORGANISATION if r.permission == Permission.VIEW_LEADS} == {
        "backoffice:leads",
        "backoffice:leads-export",
        "backoffice:lead-contacted",
        "backoffice:lead-remove",
        "backoffice:event-leads",
    }
    assert answers == {route.name: (True, True) for route in not_leads}
