"""The ``v1`` realtime sockets (hume-api-v1.md §7): the session state machine, HTTP-free, and its websocket
routes in ``route``."""
