"""Helper processes that leave the decision to stop to the process that started them.

Ctrl-C and a service manager's SIGTERM reach every process of the group. A
helper (an extraction worker, a sub-writer of the search index) ended by one
of them in the middle of its work printed its traceback, or left its parent
waiting for a result that would never come. So a helper ignores both, and
its parent, which does handle them, stops its helpers itself. A helper whose
parent has gone (killed with SIGKILL, say) would wait for work for ever:
it exits by itself once the parent has ended.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
from collections.abc import Iterator

#: The signals a helper leaves to its parent.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def follow_parent(parent_pid: int) -> None:
    """Make this process a helper of ``parent_pid``: ignore Ctrl-C and SIGTERM, and exit once the parent has ended.

    ``parent_pid`` 0 watches no one (a Dask worker's lifetime is Dask's). Signals that :func:`stop_signals_held`
    kept back in the parent while this process was started are discarded here.
    """
    for number in STOP_SIGNALS:
        signal.signal(number, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if parent_pid:
        threading.Thread(target=exit_with, args=(parent_pid,), name="parent-watch", daemon=True).start()


@contextlib.contextmanager
def stop_signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back in this thread while a helper is forked from it.

    A forked child runs its parent's handlers until it calls :func:`follow_parent`: a signal arriving in that
    moment raised ``KeyboardInterrupt`` in the child, with a traceback. The child inherits the blocked signals
    and discards them; the parent receives them as soon as the block ends.
    """
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def exit_with(parent_pid: int) -> None:
    """Exit this process once ``parent_pid`` has ended (killed with SIGKILL, say)."""
    try:
        pidfd = os.pidfd_open(parent_pid)  # Linux: readable once the process has ended, zombie or not
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd here: ask every second instead
        while True:
            time.sleep(1)
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.poll()
    os._exit(1)
