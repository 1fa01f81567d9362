"""E-mail addresses as frukost stores and compares them (registrations, contacts, …)."""


def normalise_email(address: str) -> str:
    """How every e-mail address is stored and compared: trimmed, lower-cased, the domain in its
    IDNA (ASCII) form, so that "alice@exämple.org" and "alice@xn--exmple-cua.org" are one person
    under the one-active-registration rule."""
    address = (address or "").strip().lower()
    local, at, domain = address.rpartition("@")
    if at and domain and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return address  # not a valid domain: the form refuses it; leave it as it is
        address = f"{local}@{domain}"
    return address
