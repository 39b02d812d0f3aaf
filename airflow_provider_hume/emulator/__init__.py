"""A faithful local emulator of Hume's ``v0`` API, batch and streaming (needs the ``emulator`` extra).

Use ``server.EmulatorServer`` in tests (an in-process server on a loopback port), the pytest plugin
``airflow_provider_hume.testing``, ``app.create_app`` to mount the API on another ASGI server, or the
``hume-emulator`` command. Fault injection and counters live under ``/_emulator/``. It never imports the
provider's client. See ``docs/emulator.md``.
"""
