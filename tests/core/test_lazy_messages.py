"""Messages (core/http.py's LazyMessageMiddleware) still reach the next page, once, however lazy."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path


def add(request):
    messages.success(request, "Anmälan är sparad.")
    return HttpResponse("added")


def show(request):
    return HttpResponse(" | ".join(str(m) for m in messages.get_messages(request)))


def plain(request):
    return HttpResponse("nothing about messages here")


urlpatterns = [path("add/", add), path("show/", show), path("plain/", plain)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_a_message_is_shown_on_the_next_page_and_then_gone():
    client = Client()
    client.get("/add/")

    assert client.get("/show/").content.decode() == "Anmälan är sparad."
    assert client.get("/show/").content.decode() == ""


def test_a_page_that_does_not_show_messages_keeps_them_for_the_one_that_does():
    client = Client()
    client.get("/add/")

    client.get("/plain/")

    assert client.get("/show/").content.decode() == "Anmälan är sparad."


def test_a_page_without_messages_sets_no_message_cookie():
    response = Client().get("/plain/")

    assert "messages" not in response.cookies


@override_settings(MESSAGE_STORAGE="django.contrib.messages.storage.session.SessionStorage")
def test_messages_kept_in_the_session_reach_the_next_page_too():
    client = Client()
    client.get("/add/")

    assert client.get("/show/").content.decode() == "Anmälan är sparad."
