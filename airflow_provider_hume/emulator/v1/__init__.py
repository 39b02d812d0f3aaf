"""The ``v1`` room: Hume's Expression Measurement ``v1`` API (hume-api-v1.md), beside the ``v0`` rooms.

HTTP-free engines (runs, audio measurement, faces, scores, media checks) with the web surface in ``routes``
and the realtime sockets in ``realtime``; it imports ``backend`` and ``media`` below it, never ``http``.
"""
