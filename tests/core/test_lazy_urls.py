"""core.lazy_urls: names reverse and paths resolve as with include() and path(), and the module
behind them is imported only when a request or a reverse() needs it (issue 10)."""

from __future__ import annotations

import sys
import textwrap

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, clear_url_caches, resolve, reverse

MODULES = {
    "lazy_probe_views": """
        from django.http import HttpResponse
        from django.views.decorators.csrf import csrf_exempt

        @csrf_exempt
        def hello(request, number):
            return HttpResponse(f"hello {number}")
    """,
    "lazy_probe_section": """
        from django.http import HttpResponse
        from django.urls import path

        app_name = "section"

        def page(request):
            return HttpResponse("section page")

        urlpatterns = [path("page/", page, name="page")]
    """,
    "lazy_probe_root": """
        from django.http import HttpResponse
        from django.urls import path

        from frukost.core.lazy_urls import lazy_include, lazy_path

        def front(request):
            return HttpResponse("front")

        urlpatterns = [
            lazy_include("section/", "lazy_probe_section", namespace="section"),
            lazy_path("hello/<int:number>/", "lazy_probe_views.hello", name="hello"),
            path("", front, name="front"),
        ]
    """,
}


@pytest.fixture
def urlconf(tmp_path, monkeypatch):
    for name, source in MODULES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "lazy_probe_root"
    for name in MODULES:
        sys.modules.pop(name, None)
    clear_url_caches()


def _loaded():
    return sorted(name for name in MODULES if name in sys.modules)


def test_reversing_and_resolving_other_pages_imports_neither_module(urlconf):
    assert reverse("front", urlconf=urlconf) == "/"
    assert resolve("/", urlconf=urlconf).url_name == "front"
    assert reverse("hello", args=[3], urlconf=urlconf) == "/hello/3/"
    with pytest.raises(NoReverseMatch):
        reverse("page", urlconf=urlconf)  # only in its namespace

    assert _loaded() == ["lazy_probe_root"]


def test_a_lazy_view_is_imported_when_its_path_is_first_resolved(urlconf):
    match = resolve("/hello/7/", urlconf=urlconf)
    response = match.func(RequestFactory().get("/hello/7/"), **match.kwargs)

    assert _loaded() == ["lazy_probe_root", "lazy_probe_views"]
    assert match.func is sys.modules["lazy_probe_views"].hello
    assert match.func.csrf_exempt is True  # what the CSRF middleware reads, before the view runs
    assert (match.url_name, match.kwargs, response.content) == ("hello", {"number": 7}, b"hello 7")


def test_a_lazy_include_is_imported_when_its_names_are_reversed(urlconf):
    assert reverse("section:page", urlconf=urlconf) == "/section/page/"
    assert _loaded() == ["lazy_probe_root", "lazy_probe_section"]


def test_a_lazy_include_is_imported_when_a_path_under_it_is_resolved(urlconf):
    match = resolve("/section/page/", urlconf=urlconf)

    assert _loaded() == ["lazy_probe_root", "lazy_probe_section"]
    assert (match.namespace, match.url_name, match.view_name) == ("section", "page", "section:page")
    assert match.func(RequestFactory().get("/section/page/")).content == b"section page"
