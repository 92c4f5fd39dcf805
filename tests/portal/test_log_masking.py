"""ID and mobile numbers in request lines never reach a log in clear: not runserver's access
lines, not Django's request log, not gunicorn's access or error log, not a Celery worker's."""

import datetime
import io
import logging
import runpy
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.utils.log import get_task_logger
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.utils.log import configure_logging
from gunicorn.config import Config

from portal.celery import app as celery_app
from portal.gunicorn import MaskingLogger
from portal.logging import MaskPersonalDataFilter, mask_text
from tests.factories import make_id_number

ID_NUMBER = make_id_number()
MASKED_ID = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
PHONE = "13812345678"
MASKED_PHONE = "138****5678"
NAMED_LOGGERS = [
    "django",
    "django.request",
    "django.server",
    "gunicorn.error",
    "gunicorn.access",
    "celery",
    "celery.task",
    "celery.worker",
    "celery.app.trace",
]


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class Captured:
    """Everything written by the configured handlers and every record seen at each logger."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.recorder = Recorder()

    def text(self) -> str:
        return self.stream.getvalue() + "\n".join(self.recorder.lines)

    def assert_masked(self, *, clear: list[str], masked: list[str]) -> None:
        text = self.text()
        for number in clear:
            assert number not in text, f"{number} in clear in the logs:\n{text}"
        for form in masked:
            assert form in text, f"{form} missing from the logs:\n{text}"


@pytest.fixture
def captured(monkeypatch):
    """Logging configured as a process starts (Django's defaults, then LOGGING), writing into
    a buffer, with a recorder attached last to the root and to every named logger."""
    capture = Captured()
    monkeypatch.setattr(sys, "stderr", capture.stream)
    monkeypatch.setattr(sys, "stdout", capture.stream)
    monkeypatch.setattr(sys, "__stderr__", capture.stream)
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in NAMED_LOGGERS)]
    for logger in loggers:
        logger.addHandler(capture.recorder)
    yield capture
    for logger in loggers:
        logger.removeHandler(capture.recorder)
    monkeypatch.undo()
    for name in ("gunicorn.error", "gunicorn.access", "celery.task"):
        logging.getLogger(name).handlers.clear()
    configure_logging(django_settings.LOGGING_CONFIG, django_settings.LOGGING)


def test_mask_text_finds_numbers_anywhere_in_a_line():
    cases = {
        f"/search/?q={ID_NUMBER} HTTP/1.1": f"/search/?q={MASKED_ID} HTTP/1.1",
        f"?next=%2Fsearch%2F%3Fq%3D{ID_NUMBER}%26x": f"?next=%2Fsearch%2F%3Fq%3D{MASKED_ID}%26x",
        f"q={ID_NUMBER[:6]}+{ID_NUMBER[6:14]}+{ID_NUMBER[14:]}": f"q={MASKED_ID}",
        f"q={ID_NUMBER[:6]}%20{ID_NUMBER[6:14]}%20{ID_NUMBER[14:]}": f"q={MASKED_ID}",
        "id 44010619900307123X;": "id 4401**********123X;",
        "id 44010619900307123x": "id 4401**********123x",
        f"tel {PHONE}.": f"tel {MASKED_PHONE}.",
        f"tel=%2B86{PHONE}": f"tel={MASKED_PHONE}",
        f"+86 {PHONE}": MASKED_PHONE,
        f"86{PHONE}": MASKED_PHONE,
        "138-1234-5678": MASKED_PHONE,
        # Not numbers a person holds: left alone.
        "sha a440106199003071231f": "sha a440106199003071231f",
        "4401061990030712311": "4401061990030712311",
        "task ef3aee3f-bb29-4293-936d-b17875539943 received": (
            "task ef3aee3f-bb29-4293-936d-b17875539943 received"
        ),
        f"手机{PHONE}，": f"手机{MASKED_PHONE}，",
        "at 2024-10-13 12:34:56,123 took 12345678901 ms": (
            "at 2024-10-13 12:34:56,123 took 12345678901 ms"
        ),
    }
    for line, expected in cases.items():
        assert mask_text(line) == expected, line


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_django_request_log_masks_numbers_in_paths(client, settings, captured, debug):
    settings.DEBUG = debug  # runserver in development prints django.* records to the console
    for number in (ID_NUMBER, PHONE, f"%2B86{PHONE}"):
        response = client.get(f"/api/v1/certificates/verification/{number}/")
        assert 400 <= response.status_code < 500  # so django.request logs it
    assert client.get(f"/no-such-page/{ID_NUMBER}/?q={PHONE}").status_code == 404
    captured.assert_masked(clear=[ID_NUMBER, PHONE], masked=[MASKED_ID, MASKED_PHONE])
    assert f"/api/v1/certificates/verification/{MASKED_ID}/" in captured.stream.getvalue()


def test_runserver_access_line_masks_the_query_string(captured):
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    for status in (200, 404, 500):
        handler.requestline = f"GET /search/?q={ID_NUMBER}&tel=%2B86{PHONE} HTTP/1.1"
        handler.log_request(status, 1234)
    captured.assert_masked(clear=[ID_NUMBER, PHONE], masked=[MASKED_ID, MASKED_PHONE])
    assert f'"GET /search/?q={MASKED_ID}' in captured.stream.getvalue()


def gunicorn_config():
    """Loaded from the file gunicorn is started with (bench/server.py, docs)."""
    config = Config()
    path = Path(django_settings.BASE_DIR) / "portal" / "gunicorn.py"
    for name, value in runpy.run_path(str(path)).items():
        if name in config.settings:
            config.set(name, value)
    config.set("accesslog", "-")
    config.set("errorlog", "-")
    return config


def test_gunicorn_access_and_error_logs_mask_numbers(captured, monkeypatch):
    # gunicorn opens sys.stdout and sys.stderr when it sets up, which pytest swaps per phase.
    monkeypatch.setattr(sys, "stdout", captured.stream)
    monkeypatch.setattr(sys, "stderr", captured.stream)
    config = gunicorn_config()
    assert config.logger_class is MaskingLogger
    logger = config.logger_class(config)
    response = SimpleNamespace(status="404 Not Found", status_code=404, response_length=12)
    response.headers, response.sent = [], 12
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/search/?q={ID_NUMBER}",
        "PATH_INFO": "/search/",
        "QUERY_STRING": f"q={ID_NUMBER}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://portal.example/search/?tel={PHONE}",
        "REMOTE_ADDR": "127.0.0.1",
    }
    request = SimpleNamespace(headers=[("HOST", "portal.example")])
    logger.access(response, request, environ, datetime.timedelta(milliseconds=5))
    logger.error("Error handling request %s", f"/search/?q={ID_NUMBER}")
    try:
        raise ValueError(f"bad number {PHONE}")
    except ValueError:
        logger.exception("Error handling request %s", f"/p/{PHONE}")
    captured.assert_masked(clear=[ID_NUMBER, PHONE], masked=[MASKED_ID, MASKED_PHONE])
    assert f"GET /search/?q={MASKED_ID} HTTP/1.1" in captured.stream.getvalue()


@pytest.fixture
def celery_worker_logging(captured):
    """The logging a Celery worker sets up on start (root hijacked, task loggers)."""
    was_setup = celery_app.log.already_setup
    celery_app.log.already_setup = False
    celery_app.log.setup(loglevel="INFO", logfile=captured.stream, colorize=False)
    root = logging.getLogger()
    if captured.recorder not in root.handlers:  # the worker removed every root handler
        root.addHandler(captured.recorder)
    yield captured
    celery_app.log.already_setup = was_setup


def test_celery_worker_and_task_logs_mask_numbers(celery_worker_logging):
    get_task_logger("services.tasks").info("texting %s for %s", PHONE, ID_NUMBER)
    logging.getLogger("celery.worker.strategy").info("Received task: notify[%s]", PHONE)
    logging.getLogger("celery.app.trace").info("Task returned %r", {"id_number": ID_NUMBER})
    celery_worker_logging.assert_masked(clear=[ID_NUMBER, PHONE], masked=[MASKED_ID, MASKED_PHONE])
    assert f"texting {MASKED_PHONE}" in celery_worker_logging.stream.getvalue()


def test_every_handler_in_logging_masks(captured):
    """A handler added to LOGGING without the filter would fail here."""
    names = ["", *django_settings.LOGGING["loggers"]]
    for name in names:
        for handler in logging.getLogger(name or None).handlers:
            if handler is captured.recorder or type(handler).__module__.startswith("_pytest"):
                continue
            assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters), (
                f"{name or 'root'}: {handler!r} does not mask"
            )


def test_a_library_handler_of_its_own_sees_masked_records(captured):
    """Libraries such as jieba add their own handler on import, after LOGGING is applied."""
    stream = io.StringIO()
    library = logging.getLogger("some.library")
    library.addHandler(logging.StreamHandler(stream))
    library.propagate = False
    try:
        library.warning("looked up %s, %s", ID_NUMBER, PHONE)
        try:
            raise LookupError(f"no {ID_NUMBER}")
        except LookupError:
            library.exception("failed")
    finally:
        library.handlers.clear()
    assert ID_NUMBER not in stream.getvalue() and PHONE not in stream.getvalue()
    assert f"looked up {MASKED_ID}, {MASKED_PHONE}" in stream.getvalue()
    assert f"LookupError: no {MASKED_ID}" in stream.getvalue()


# However a person writes a number: the groupings people use, every separator the rule names
# (and their URL forms), half- or full-width digits, and the whole percent-encoded as a
# browser sends it.
ID_GROUPINGS = [(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2), (3, 3, 4, 4, 4), (6, 12)]
PHONE_GROUPINGS = [(11,), (3, 4, 4), (3, 8), (7, 4), (4, 4, 3), (3, 3, 5)]
SEPARATORS = [" ", "\u3000", "-", ".", "\u2013", "+", "%20", " - "]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def grouped(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    return sep.join(parts)


def writings(number: str, groupings: list[tuple[int, ...]]):
    from urllib.parse import quote

    for sizes in groupings:
        for sep in SEPARATORS:
            for digits in (number, number.translate(FULL_WIDTH)):
                written = grouped(digits, sizes, sep)
                yield written
                if sep != "+" and "%" not in sep:  # "+", "%20": a query string's space already
                    yield quote(written)  # as a browser sends it
    half = len(number) // 2
    yield number[:half] + number[half:].translate(FULL_WIDTH)  # mixed widths


def digits_of(text: str) -> str:
    from urllib.parse import unquote

    return "".join(c for c in unquote(text).translate(FULL_WIDTH) if c.isdigit())


@pytest.mark.parametrize(
    ("number", "groupings", "shown"),
    [
        (ID_NUMBER, ID_GROUPINGS, MASKED_ID),
        ("44010619900307123X", ID_GROUPINGS, "4401**********123X"),
        (PHONE, PHONE_GROUPINGS, MASKED_PHONE),
    ],
)
def test_numbers_are_masked_however_they_are_written(number, groupings, shown):
    unmasked = []
    for written in writings(number, groupings):
        for line in (
            f"GET /search/?q=zzqq+{written} HTTP/1.1",
            f"查询 {written}，",
            f"q={written}&page=2",
        ):
            masked = mask_text(line)
            # Nothing of the number's middle is left, in any width or encoding.
            if number[4:14] in digits_of(masked) or shown not in masked:
                unmasked.append((line, masked))
    assert not unmasked, unmasked[:5]


def test_a_country_code_goes_with_the_mobile_number():
    for line in (f"+86 {PHONE[:3]} {PHONE[3:7]} {PHONE[7:]}", f"%2B86%20{PHONE}", f"0086-{PHONE}"):
        assert mask_text(f"tel {line};") == f"tel {MASKED_PHONE};", line


@pytest.mark.parametrize(
    "line",
    [
        "on 2024-10-13 12:34:56,123, 2024.10.14 and 2024 10 15",
        "paid 1 380 000 000.00 yuan, 15 000 000 000 in all, 138000000.01 per unit",
        "codes 440106 and 19900307 and 1231, year 2024, zip 510000, order 20241013 5566",
        "task ef3aee3f-bb29-4293-936d-b17875539943 took 12345678901 ms",
        "request 12345678-1234-1234-1234-123456789012 and 3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "sha a440106199003071231f, commit 138000000011234ab, 4401061990030712311",
        "token ab12-138-0000-0001-cd and v138.0000.0001",
        "landline 020-8888 8888, 0755-8888 8888 1234",
    ],
)
def test_ordinary_numbers_are_left_alone(line):
    assert mask_text(line) == line
