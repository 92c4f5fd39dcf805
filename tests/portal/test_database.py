"""The PostgreSQL backend trusts a connection that answered moments ago instead of sending a
health check first; outside that window a connection the server dropped is replaced unseen."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the health check is PostgreSQL's here"
    ),
]

PAGE = "/api/v1/services/"


def _get(path: str) -> int:
    """A request as a WSGI server makes it: Django's request_started / request_finished
    connection housekeeping runs (the test client switches it off)."""
    import io

    from django.core.handlers.wsgi import WSGIHandler

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    statuses: list[str] = []
    body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    body.close()
    return int(statuses[0].split()[0])


def _drop_from_the_server_side() -> None:
    """What a database restart or an idle-connection reaper does to our connection."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_between_requests_is_replaced_without_an_error(settings):
    settings.DATABASE_HEALTH_CHECK_SKIP_WITHIN = 0
    assert _get(PAGE) == 200
    _drop_from_the_server_side()
    assert _get(PAGE) == 200


def test_inside_the_window_a_dropped_connection_costs_one_request_then_recovers(settings):
    settings.DATABASE_HEALTH_CHECK_SKIP_WITHIN = 60
    assert _get(PAGE) == 200
    _drop_from_the_server_side()
    assert _get(PAGE) == 500
    assert _get(PAGE) == 200
