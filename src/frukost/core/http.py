"""Response headers every page carries (Permissions-Policy, Content-Security-Policy), and lazy messages."""

from __future__ import annotations

from functools import wraps

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject, empty


def _header(policy: dict[str, str]) -> str:
    # Structured-field syntax: camera=() switches a feature off, camera=(self) allows this origin.
    return ", ".join(f"{feature}=({allow})" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Switch off the browser features no page uses (settings.PERMISSIONS_POLICY).

    A view that needs one (a check-in page and the camera) sets its own header with
    `permissions_policy(camera="self")`; the middleware leaves such a header alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = _header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response


def permissions_policy(**allow: str):
    """A view decorator that allows features for its page: `@permissions_policy(camera="self")`."""
    features = {name.replace("_", "-"): value for name, value in allow.items()}

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response["Permissions-Policy"] = _header({**settings.PERMISSIONS_POLICY, **features})
            return response

        return wrapper

    return decorate


class HeadWithoutBodyMiddleware:
    """Answer HEAD with the GET response's headers and no body.

    Django's WSGI handler sends the body a view renders for HEAD too, and gunicorn then logs
    "WSGI app sent body bytes on a no-body response" for every `curl -I`. Outermost in
    MIDDLEWARE, so it sees every response; Content-Length stays that of the GET.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = iter(())
        else:
            response.headers.setdefault("Content-Length", str(len(response.content)))
            response.content = b""
        return response


# The settings' policies as header values, built once per process (again after a test changes
# the settings): {(report_only, with a nonce): value}, with a slot where the nonce goes.
_NONCE_SLOT = "\x00nonce\x00"
_policies: dict[tuple[bool, bool], str] = {}
_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace")
_OWN_POLICY_RO = ("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@receiver(setting_changed)
def _forget_policies(*, setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _settings_policy(*, report_only: bool, nonce: str | None) -> str:
    key = (report_only, nonce is not None)
    if key not in _policies:
        _policies[key] = build_policy(nonce=_NONCE_SLOT if nonce else None, report_only=report_only)
    return _policies[key].replace(_NONCE_SLOT, nonce) if nonce else _policies[key]


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the settings' policy built once per process, not per response.

    django-csp (4.0) rebuilds the header from the settings on every response, about a tenth of
    what the middleware costs a public page; the value differs only by the request's nonce,
    filled in here. A response with a policy of its own (django-csp's decorators) is built as
    django-csp builds it. The rest is django-csp's process_response: exempt responses, excluded
    prefixes, DEBUG's error pages, and the nonce refused once the header is written.
    """

    def process_response(self, request, response):
        own = any(getattr(response, name, None) is not None for name in (*_OWN_POLICY, *_OWN_POLICY_RO))
        if own or (response.status_code in (500, 404) and settings.DEBUG):
            return super().process_response(request, response)
        nonce = getattr(request, "_csp_nonce", None)
        for header, report_only, exempt, setting in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = _settings_policy(report_only=report_only, nonce=nonce)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        if nonce is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's message middleware, with the storage made only when a view or template uses it.

    Public pages show no messages, yet Django builds the cookie and session storages for every
    request. A storage nobody looked at has nothing to save (Django's own `update` returns at
    once when no message was read or added), so it is skipped in the response too.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
