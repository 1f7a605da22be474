"""Error pages 400, 403, 404, 429 and 500: plain, in the visitor's language, and leaking nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path
from django.views.defaults import server_error

from config.urls import urlpatterns as site_urlpatterns

LEAKS = ["Traceback", "canary", "/work/", "site-packages", "DisallowedHost", "Exception"]


def _explode(request):
    raise RuntimeError("canary: a secret detail of the failure")


def _forbid(request):
    raise PermissionDenied("canary: the reason staff see")


# The site's URLconf plus two failing views, for the tests marked with it.
urlpatterns = [path("explode/", _explode), path("forbid/", _forbid), *site_urlpatterns]


@pytest.fixture
def client():
    """A client that gets the response a visitor gets, rather than the exception behind it."""
    return Client(raise_request_exception=False)


def _assert_plain(response, heading):
    text = response.text
    assert f"<h1>{heading}</h1>" in text
    for leak in LEAKS:
        assert leak not in text, leak


@pytest.mark.django_db
def test_400_names_no_host(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    _assert_plain(response, "Bad request")
    assert "attacker.example" not in response.text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_403_gives_no_reason(client):
    response = client.get("/forbid/")
    assert response.status_code == 403
    _assert_plain(response, "Access denied")


@pytest.mark.django_db
def test_403_for_a_form_without_its_token_explains_what_to_do():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    _assert_plain(response, "Access denied")
    assert "reload the page" in response.text
    assert "<style" not in response.text  # Django's own CSRF page has an inline style


@pytest.mark.django_db
def test_404_is_in_the_visitors_language(client):
    response = client.get("/az/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="az">' in response.text


@pytest.mark.django_db
def test_429_after_too_many_failed_sign_ins(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "canary", "password": "wrong"})
    assert response.status_code == 429
    _assert_plain(response, "Too many attempts")


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_500_shows_nothing_of_the_failure(client):
    response = client.get("/explode/")
    assert response.status_code == 500
    _assert_plain(response, "Something went wrong on our side")


def test_500_renders_without_a_request_context(rf):
    """Django renders 500.html with an empty context: nothing in it may need the request."""
    response = server_error(rf.get("/"))
    assert response.status_code == 500
    _assert_plain(response, "Something went wrong on our side")
    assert '<html lang="en">' in response.content.decode()
