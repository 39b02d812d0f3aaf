"""The streaming websocket ``/v0/stream/models`` (hume-api-v0.md §4): payloads in, one JSON reply per payload.

``payload`` and ``config`` validate a message, ``decode`` and ``probe`` turn its ``data`` into media facts,
``window`` keeps the audio sliding window, ``predict`` scores each model, ``messages`` shapes replies and
``session`` ties them together for one connection. None of them does I/O: ``route`` owns the socket.
"""
