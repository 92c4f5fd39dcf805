"""An endpoint to measure, as data (see bench/endpoints.py for the template fields)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Floor = Literal["ping", "insert"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # Which floor this is compared with: "ping" for reads, "insert" for writes, None for a floor.
    floor: Floor | None = None
    needs_login: bool = False
    expect_status: int = 200  # checked once before measuring; a redirect to login would lie
    rotate_accounts: bool = False  # a different pool account each request (see above)
    script: str = ""  # under bench/lua/; default request.lua, or rotate.lua when rotating
    # Called in-process before the preflight and before every run (e.g. to free the places a
    # run booked); what it returns is added to the template values.
    prepare: Callable[[], dict[str, str] | None] | None = field(default=None, compare=False)

    @property
    def is_floor(self) -> bool:
        return self.floor is None

    @property
    def lua_script(self) -> str:
        return self.script or ("rotate.lua" if self.rotate_accounts else "request.lua")

    @property
    def request_label(self) -> str:
        return f"{self.method} {self.path}"
