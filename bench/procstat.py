"""CPU time of a process tree from /proc/<pid>/stat (Linux), in milliseconds.

A tree's CPU is the sum over its live processes of utime + stime + cutime + cstime: a child
that exited and was reaped (a recycled gunicorn worker, a closed PostgreSQL backend) has
moved its time into its parent's cutime/cstime, so nothing is lost and nothing is counted
twice. Resolution is one clock tick (usually 10 ms), small against seconds-long runs.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")


def _fields(pid: int) -> list[str] | None:
    """The fields after ``comm`` (which may hold spaces): index 0 is state, 1 is ppid."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return raw[raw.rindex(")") + 2 :].split()


def parent_pid(pid: int) -> int | None:
    fields = _fields(pid)
    return int(fields[1]) if fields else None


def process_name(pid: int) -> str | None:
    try:
        return (PROC / str(pid) / "comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        ppid = parent_pid(int(entry.name))
        if ppid is not None:
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_pids(root: int) -> list[int]:
    children = _children_map()
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, []))
    return pids


def tree_cpu_ms(root: int) -> float:
    """utime+stime+cutime+cstime over ``root`` and its live descendants, in ms."""
    ticks = 0
    for pid in tree_pids(root):
        fields = _fields(pid)
        if fields:
            # Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after comm.
            ticks += sum(int(value) for value in fields[11:15])
    return ticks * TICK_MS


def own_cpu_ms(pids: list[int]) -> dict[int, float]:
    """utime+stime of each live process in ``pids`` (children excluded), in ms."""
    result = {}
    for pid in pids:
        fields = _fields(pid)
        if fields:
            result[pid] = sum(int(value) for value in fields[11:13]) * TICK_MS
    return result


def machine_busy_ms() -> float:
    """CPU time all cores spent not idle since boot (/proc/stat), in ms."""
    with (PROC / "stat").open() as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is already in user/nice)
    busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7]
    return busy * TICK_MS


def tree_size(root: int) -> int:
    return len(tree_pids(root))
