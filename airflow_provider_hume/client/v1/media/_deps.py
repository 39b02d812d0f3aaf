"""The optional ``media`` extra (PyAV and Pillow), imported only when a file needs it.

Without the extra the package still imports; preparing a file that needs decoding or re-encoding then fails
with an error naming the file and the command that installs what is missing. Callers check with
:func:`require_av` or :func:`require_pillow`, then import the module inside the function that uses it.
"""

from __future__ import annotations

import importlib

from airflow_provider_hume.client.v1.media.errors import MediaInputError

INSTALL_HINT = "pip install 'airflow-provider-hume[media]'"


def _require(module: str, library: str, name: str, why: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError as error:
        raise MediaInputError(
            name, f"{why} needs {library}, which is not installed; install the media extra: {INSTALL_HINT}"
        ) from error


def require_av(name: str, why: str) -> None:
    """Raise unless PyAV (``av``) imports; ``why`` says what ``name`` needs it for."""
    _require("av", "PyAV (av)", name, why)


def require_pillow(name: str, why: str) -> None:
    """Raise unless Pillow (``PIL.Image``) imports; ``why`` says what ``name`` needs it for."""
    _require("PIL.Image", "Pillow", name, why)
