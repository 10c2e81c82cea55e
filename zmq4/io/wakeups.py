"""Deferred wake-ups: a thread that is about to sleep anyway signals the threads it woke
right before it sleeps, not while it still holds the GIL.

Owns: a per-thread list of objects with ``signal()`` (socket mailboxes) whose wake-up a
post has deferred. An I/O thread calls ``defer_signals()`` once; from then on a mailbox
post made in that thread queues its command at once but leaves the eventfd write to
``flush_signals``, which the reactor calls right before ``epoll`` releases the GIL.

Why: a socket's owner thread woken in the middle of an I/O thread's batch wakes up only to
block on the GIL until the batch ends (two thread switches per message, and the poster
pays for the contention). Signalled at the end, it finds the GIL free. The delay is
bounded by one batch of events, and commands are visible in the mailbox at once, so a
thread that checks before sleeping never misses one. Other threads (application threads,
a send-through borrower) never defer: their posts signal at once.
"""

from __future__ import annotations

import threading
from typing import Any


class _Deferred(threading.local):
    #: this thread's objects to signal at its next flush; None: this thread never defers
    pending: list[Any] | None = None


deferred = _Deferred()


def defer_signals() -> list[Any]:
    """Make this thread's wake-ups deferred; returns the list to hand to flush_signals."""
    pending = deferred.pending
    if pending is None:
        pending = deferred.pending = []
    return pending


def flush_signals(pending: list[Any]) -> None:
    """Signal everything posted to since the last flush, in posting order."""
    try:
        for target in pending:
            target.signal()
    finally:
        pending.clear()
