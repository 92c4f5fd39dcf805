"""gunicorn's configuration: ``gunicorn -c portal/gunicorn.py portal.wsgi:application``.

gunicorn sets up its own error and access loggers before Django loads, and Django's LOGGING
leaves them alone; this logger class masks ID and mobile numbers on both (request lines,
referers, "Error handling request /search/?q=..." and tracebacks).
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger


class MaskingLogger(Logger):
    """gunicorn's logger whose error and access logs pass through the masking filter."""

    def setup(self, cfg: Any) -> None:
        from portal.logging import mask_logger  # the project is on the path only after --chdir

        super().setup(cfg)  # also on every reload (HUP): new handlers, masked again
        for log in (self.error_log, self.access_log):
            mask_logger(log)


# A string, so that gunicorn imports it after --chdir has put the project on the path.
logger_class = "portal.gunicorn.MaskingLogger"
