"""Response headers every page carries: the Permissions-Policy."""

from __future__ import annotations

from functools import wraps

from django.conf import settings


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
