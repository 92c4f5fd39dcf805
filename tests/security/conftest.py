from tests.services.conftest import commit_now  # noqa: F401 (the case fixtures commit at once)
