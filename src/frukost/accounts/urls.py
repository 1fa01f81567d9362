"""allauth's sign-in, password and two-factor pages under /konto/, with the two-factor views
imported at the first request that reaches one of them.

allauth's own URL configuration (`allauth.urls`) imports every view it routes to, and its
two-factor views import the WebAuthn support, fido2 and cryptography (about 10.8 MiB per process,
measured): every web worker carried them for its whole life although the public pages, most of
the traffic, never reach them (issue 10). Django resolves a URL by trying the prefixes in turn,
but builds its table for reverse() from every name at once, so a name must be known without
importing its view: the two-factor pages are listed here by route and name (as allauth lists
them, under the same settings) with the dotted path of their view, imported when a request first
matches (`core.lazy_urls.lazy_path`). The account pages are allauth's own list: their views
are cheap, and allauth's middleware loads most of them anyway. tests/accounts/test_urls.py checks that these
routes and names are exactly allauth's, and that each resolves to allauth's own view.
"""

from __future__ import annotations

from allauth.mfa import app_settings as mfa_settings
from django.urls import include, path

from frukost.core.lazy_urls import lazy_path

# allauth.mfa.urls and allauth.mfa.base.urls, under the same settings.
_base = "allauth.mfa.base.views."
two_factor_patterns = [
    lazy_path("", _base + "index", name="mfa_index"),
    lazy_path("authenticate/", _base + "authenticate", name="mfa_authenticate"),
    lazy_path("reauthenticate/", _base + "reauthenticate", name="mfa_reauthenticate"),
]
if mfa_settings._TRUST_STAGE_ENABLED:
    two_factor_patterns.append(lazy_path("trust/", _base + "trust", name="mfa_trust"))
# These views import nothing heavy (tests/core/test_worker_imports.py would notice).
if "totp" in mfa_settings.SUPPORTED_TYPES:
    two_factor_patterns.append(path("totp/", include("allauth.mfa.totp.urls")))
if "recovery_codes" in mfa_settings.SUPPORTED_TYPES:
    two_factor_patterns.append(path("recovery-codes/", include("allauth.mfa.recovery_codes.urls")))
if "webauthn" in mfa_settings.SUPPORTED_TYPES:
    two_factor_patterns.append(path("webauthn/", include("allauth.mfa.webauthn.urls")))

# allauth.urls for frukost's apps: no social accounts, no user sessions, not headless.
urlpatterns = [
    path("", include("allauth.account.urls")),
    path("2fa/", include(two_factor_patterns)),
]
