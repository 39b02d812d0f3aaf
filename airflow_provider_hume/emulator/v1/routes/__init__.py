"""The HTTP surface of the ``v1`` room: the upload and runs routes, their auth, form reading and errors."""
