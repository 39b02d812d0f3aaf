"""Count this process's open TCP connections to a port, from ``/proc`` (Linux; no psutil needed)."""

from __future__ import annotations

import os
from pathlib import Path

#: ``/proc/net/tcp`` states that hold a socket open from this side (all but LISTEN and CLOSE).
_OPEN_STATES = frozenset({"01", "02", "03", "04", "05", "06", "08", "09", "0B"})


def _own_socket_inodes() -> set[str]:
    inodes: set[str] = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed since the listing
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def connections_to(port: int) -> int:
    """Open TCP sockets of this process whose remote port is ``port`` (client ends of connections to it)."""
    inodes = _own_socket_inodes()
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] in _OPEN_STATES and fields[9] in inodes:
                count += 1
    return count
