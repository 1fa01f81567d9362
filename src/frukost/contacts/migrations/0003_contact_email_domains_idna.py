"""Store every contact's address as normalise_email does now: the domain in its IDNA (ASCII) form.

0002 carried contacts over from registrations before registrations' own addresses were converted
(registrations 0005), so a consent given as anna@exämple.se stayed in Unicode, and withdrawing it
(which looks the normalised address up) found nothing. When the converted address is already
another contact of the same organisation, the two are one person: the newest consent is kept,
under the converted address, and the other row is deleted.
"""

from django.db import migrations


def _normalised(address: str) -> str:
    # A copy of frukost.core.emails.normalise_email as it is now (a migration must not follow
    # later changes of the code it would import).
    address = (address or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return address
        address = f"{local}@{domain}"
    return address


def forwards(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    for contact in Contact.objects.order_by("id").iterator():
        new = _normalised(contact.email)
        if new == contact.email:
            continue
        other = Contact.objects.filter(organisation_id=contact.organisation_id, email=new).first()
        if other is not None:
            if (other.consented_at, other.pk) >= (contact.consented_at, contact.pk):
                contact.delete()
                continue
            other.delete()
        Contact.objects.filter(pk=contact.pk).update(email=new)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_contacts_from_registrations"),
        ("registrations", "0005_email_domains_idna"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
