"""The ``server_shutdown`` fault: end live realtime sessions as a deploying server does (hume-api-v1.md §7.1).

Each open session registers here and gets an :class:`asyncio.Event` that asks it to end with
``session.closed{reason: "server_shutdown"}``. :meth:`ShutdownSwitch.now` sets every one of them;
:meth:`ShutdownSwitch.arm` instead makes the next session to take in its ``after_frames``-th media frame
(counted from the arming, in any session open then or later) end right after answering that frame, which
gives tests a deterministic point of failure. Used from the event loop only.
"""

from __future__ import annotations

import asyncio


class ShutdownSwitch:
    """Live sessions' shutdown events, and an armed one-shot shutdown."""

    def __init__(self) -> None:
        self._events: set[asyncio.Event] = set()
        self._armed: int | None = None

    def register(self) -> asyncio.Event:
        """A new session's shutdown event (pass it to :meth:`unregister` when the session ends)."""
        event = asyncio.Event()
        self._events.add(event)
        return event

    def unregister(self, event: asyncio.Event) -> None:
        """The session ended."""
        self._events.discard(event)

    def now(self) -> int:
        """Ask every live session to shut down; how many there were."""
        for event in self._events:
            event.set()
        return len(self._events)

    def arm(self, after_frames: int) -> None:
        """Shut down the session that takes in the ``after_frames``-th media frame from now (>= 1)."""
        if after_frames < 1:
            raise ValueError("after_frames must be at least 1")
        self._armed = after_frames

    def frame_taken(self, event: asyncio.Event) -> None:
        """A session took in a media frame: set its event if the armed count runs out with it."""
        if self._armed is None:
            return
        self._armed -= 1
        if self._armed == 0:
            self._armed = None
            event.set()

    def reset(self) -> None:
        """Disarm."""
        self._armed = None
