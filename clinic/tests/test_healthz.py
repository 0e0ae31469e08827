import pytest

from clinic.celery import app

pytestmark = pytest.mark.django_db


def test_it_answers_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "down": []}


def test_it_answers_503_naming_the_broker_when_it_is_down(client, monkeypatch):
    # Nothing listens on port 1: the broker connection is refused.
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "down": ["broker"]}


def test_it_answers_503_naming_the_broker_when_the_broker_folder_is_gone(client, monkeypatch, tmp_path):
    monkeypatch.setitem(app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        app.conf,
        "broker_transport_options",
        {"data_folder_in": str(tmp_path / "gone"), "data_folder_out": str(tmp_path / "gone")},
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["broker"]


def test_it_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    from clinic import views

    class Broken:
        def cursor(self):
            from django.db import OperationalError

            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database" in response.json()["down"]
