"""The HTTP surface: the ASGI app, v0 batch routes and bodies, admin API, console and fault middleware."""
