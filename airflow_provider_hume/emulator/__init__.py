"""A faithful local emulator of Hume's ``v0`` API, batch and streaming (needs the ``emulator`` extra).

The ways in are at this level: ``server.EmulatorServer`` (an in-process server on a loopback port, for
tests), ``cli`` (the ``hume-emulator`` command, also ``python -m airflow_provider_hume.emulator``),
``process`` (that command as a child process), ``admin_client`` (faults, counters and job control over HTTP)
and, elsewhere, the pytest plugin ``airflow_provider_hume.testing``. ``http.app.create_app`` mounts the API on
another ASGI server.

Below them are the rooms, whose imports flow one way: ``http`` (the HTTP surface) → ``streaming`` (the
websocket: an HTTP-free core and its route) → ``inference`` (fake predictions and artifacts) → ``backend``
(the HTTP-free core: settings, keys, jobs, counters, faults, callbacks) → ``media`` (limits, fetching,
probing). It never imports the provider's client. See ``docs/emulator.md``.
"""
