"""A faithful local emulator of Hume's ``v0`` batch API (needs the ``emulator`` extra).

Use ``server.EmulatorServer`` in tests (an in-process server on a loopback port), ``app.create_app`` to mount
the API on another ASGI server, or the ``hume-emulator`` command. It never imports the provider's client.
"""
