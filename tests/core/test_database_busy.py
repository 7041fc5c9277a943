"""A page whose database is out of reach (the node's pool had no connection within its
timeout, a deadlock) answers 503 with Retry-After and a page that says to retry — not a
500 — as the API does."""

from __future__ import annotations

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def _pool_exhausted(user):
    raise OperationalError("couldn't get a connection after 10.00 sec")


def test_a_page_without_a_pooled_connection_answers_503_and_asks_to_retry(
    client, world, monkeypatch
):
    client.force_login(world.duty_officer_a)
    monkeypatch.setattr("hall.views.latest_seq", _pool_exhausted)
    response = client.get("/hall/dashboard/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "繁忙" in body and "<html" in body


def test_a_json_poll_without_a_connection_answers_503_in_the_api_shape(client, world, monkeypatch):
    client.force_login(world.duty_officer_a)
    monkeypatch.setattr("hall.views.latest_seq", _pool_exhausted)
    response = client.get("/hall/dashboard/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"


def test_other_errors_still_answer_500(client, world, monkeypatch):
    def broken(user):
        raise ValueError("a bug")

    client.raise_request_exception = False
    client.force_login(world.duty_officer_a)
    monkeypatch.setattr("hall.views.latest_seq", broken)
    assert client.get("/hall/dashboard/").status_code == 500
