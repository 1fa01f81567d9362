from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    REGISTERED = "registered", _("Has a seat")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")
    RELEASED = "released", _("Seat released (colleague never confirmed)")


# A person has at most one registration per event in these states (enforced by the database).
ACTIVE_STATUSES = (Status.REGISTERED, Status.WAITLISTED)


class Membership(models.TextChoices):
    MEMBER = "member", _("Yes, I am a member")
    NOT_MEMBER = "not_member", _("No, I am not a member")
    UNDISCLOSED = "undisclosed", _("I prefer not to say")


class Diet(models.TextChoices):
    """The 14 allergens EU regulation 1169/2011 requires caterers to declare, plus two diets."""

    VEGETARIAN = "vegetarian", _("Vegetarian")
    VEGAN = "vegan", _("Vegan")
    GLUTEN = "gluten", _("Gluten")
    MILK = "milk", _("Milk protein")
    EGG = "egg", _("Egg")
    FISH = "fish", _("Fish")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    MOLLUSCS = "molluscs", _("Molluscs")
    PEANUTS = "peanuts", _("Peanuts")
    NUTS = "nuts", _("Tree nuts")
    SOY = "soy", _("Soybeans")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame seeds")
    LUPIN = "lupin", _("Lupin")
    SULPHITES = "sulphites", _("Sulphur dioxide and sulphites")


class Language(models.TextChoices):
    SWEDISH = "sv", "Svenska"
    ENGLISH = "en", "English"


class LinkPurpose(models.TextChoices):
    """What a personal link may do; each purpose hashes its tokens in its own domain.

    MANAGE: the person's own link (see, change, add a colleague, cancel). CONFIRM: the link in a
    colleague's invitation and reminders (see and confirm their own registration, change their own
    answers, decline or cancel; never bring further people). CHECKIN: reserved for the door code,
    which opens no personal page at all. FEEDBACK: the link in the thank-you mail after the event,
    which opens only the person's feedback form (frukost.followup).
    """

    MANAGE = "manage", _("Manage the registration")
    CONFIRM = "confirm", _("Confirm an invitation")
    CHECKIN = "checkin", _("Check in at the door")
    # In the thank-you mail after the event: opens the person's feedback form and nothing else.
    FEEDBACK = "feedback", _("Give feedback after the event")
