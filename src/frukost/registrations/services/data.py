from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from frukost.registrations.enums import Language, Membership, Status
from frukost.registrations.models import Registration


@dataclass(frozen=True)
class Answers:
    """What a person answers for themselves (never for anyone else)."""

    workplace: str = ""
    job_title: str = ""
    membership: Membership | str = ""
    diets: Sequence[str] = ()
    diet_other: str = ""
    other_needs: str = ""
    answer: str = ""
    wants_future_invitations: bool = False
    # The words beside the box as the person saw them, recorded with their consent (contacts).
    consent_text: str = ""


@dataclass(frozen=True)
class PersonData:
    first_name: str
    last_name: str
    email: str
    answers: Answers = field(default_factory=Answers)
    language: Language | str = Language.SWEDISH


@dataclass(frozen=True)
class ColleagueData:
    """A colleague as the registrant knows them: a name and an address, nothing sensitive."""

    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class RegistrationResult:
    """What the registrant is told on screen.

    `status` is what a new registration gets at this moment; when the address was already
    registered it is still that, so the page never reveals whether an address is registered.
    """

    status: Status
    registration: Registration
    already_registered: bool = False
