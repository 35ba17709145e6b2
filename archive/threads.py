"""Things opened once per thread and closed once their thread has ended.

The web app's server runs requests on threads it starts and ends as it
pleases. A catalog connection (:class:`archive.store.Archive`) and an index
searcher (:class:`index.search.SearchIndex`) per thread keep the threads'
snapshots and transactions apart; :class:`PerThread` remembers whose each one
is, closes those of ended threads when the next one is opened, and all of
them when their owner closes (or, where a running thread may be using its
own at that moment, all but those).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


T = TypeVar("T", bound=Closable)


class PerThread(Generic[T]):
    """The open things of every thread, each with the thread that opened it."""

    def __init__(self) -> None:
        self._owners: dict[T, threading.Thread] = {}
        self._lock = threading.Lock()

    def adopt(self, item: T) -> T:
        """Register ``item`` as the current thread's; close the ones of threads that have ended."""
        with self._lock:
            ended = [old for old, thread in self._owners.items() if not thread.is_alive()]
            for old in ended:
                del self._owners[old]
            self._owners[item] = threading.current_thread()
        for old in ended:
            old.close()
        return item

    def release(self, item: T) -> None:
        """Forget ``item``: whoever releases it closes it."""
        with self._lock:
            self._owners.pop(item, None)

    def owners(self) -> list[threading.Thread]:
        """The threads whose items are registered now."""
        with self._lock:
            return list(self._owners.values())

    def close_all(self) -> None:
        """Close every item still registered, whichever thread opened it."""
        self._close(lambda thread: True)

    def close_unused(self) -> None:
        """Close the items of this thread and of threads that have ended; forget the others.

        An item of a thread still running may be in use there at this moment: closing a SQLite connection
        under a statement another thread runs crashed the interpreter. Its thread closes it itself, or it is
        closed once nothing holds it.
        """
        mine = threading.current_thread()
        self._close(lambda thread: thread is mine or not thread.is_alive())

    def _close(self, closing: Callable[[threading.Thread], bool]) -> None:
        """Forget every item; close those whose thread ``closing`` names."""
        with self._lock:
            items = [item for item, thread in self._owners.items() if closing(thread)]
            self._owners.clear()
        for item in items:
            item.close()
