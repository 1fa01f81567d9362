"""The data migration keeps today's organisers: Organisation.members become organiser memberships."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("events", "0002_organisation_slug_not_reserved"), ("accounts", "0001_initial")]
AFTER = [
    ("events", "0003_remove_organisation_members"),
    ("accounts", "0002_members_from_organisation_members"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_organisation_members_become_organisers():
    old = _migrate(BEFORE)
    User = old.get_model("auth", "User")  # noqa: N806
    Organisation = old.get_model("events", "Organisation")  # noqa: N806
    anna = User.objects.create(username="anna", email="anna@example.se")
    bo = User.objects.create(username="bo", email="bo@example.se")
    ssr = Organisation.objects.create(name="Akademikerförbundet SSR", slug="ssr")
    vision = Organisation.objects.create(name="Vision", slug="vision")
    ssr.members.add(anna, bo)
    vision.members.add(anna)

    new = _migrate(AFTER)

    OrganisationMember = new.get_model("accounts", "OrganisationMember")  # noqa: N806
    memberships = sorted(
        OrganisationMember.objects.values_list("organisation__slug", "user__username", "role")
    )
    assert memberships == [
        ("ssr", "anna", "organiser"),
        ("ssr", "bo", "organiser"),
        ("vision", "anna", "organiser"),
    ]
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
