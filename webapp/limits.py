"""Limits on what one visitor may make the archive record: exports.

Every export is recorded in the custody ledger (the ids of the documents it
holds, about 20 bytes each), and the ledger is append-only: a script
exporting the whole public archive in a loop, which needs no account, would
grow it without end. So one visitor, a signed-in user by name or else an
address (the proxy's ``X-Forwarded-For`` only with ``--trusted-proxy``), may
make ``Settings.export_limit`` exports within ``Settings.export_window``
seconds; the next is refused with a 429 and ``Retry-After``, and nothing is
recorded. The counts are held in the server process's memory: a restart
forgets them, and each process of a server that runs several counts its own.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from flask import current_app, request

from archive.errors import TooManyExportsError
from webapp.state import current_user

#: Visitors whose counts are kept at most; past that the ones whose exports have all left the window are dropped.
MAX_VISITORS = 10_000


class SlidingWindow:
    """At most ``limit`` events per key within the last ``window`` seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[object, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: object) -> float:
        """Count one event for ``key`` and return 0, or, when it is over the limit, count nothing and return the
        seconds until it may try again."""
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return events[0] + self.window - now
            events.append(now)
            if len(self._events) > MAX_VISITORS:
                self._forget_idle(now)
            return 0.0

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]


def check_export() -> None:
    """Count this request's export against its visitor, or raise :class:`TooManyExportsError` (a 429)."""
    settings = current_app.extensions["archive"].settings
    if not settings.export_limit:
        return
    window = current_app.extensions.get("export_window")
    if window is None:
        window = current_app.extensions.setdefault(
            "export_window", SlidingWindow(settings.export_limit, settings.export_window))
    user = current_user()
    wait = window.take(("user", user.name) if user else ("address", request.remote_addr))
    if wait:
        raise TooManyExportsError(settings.export_limit, settings.export_window, int(wait) + 1)
