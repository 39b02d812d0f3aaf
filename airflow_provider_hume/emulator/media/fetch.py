"""Download job URLs, from loopback hosts only (hume-api-v0.md §8 "Outbound fetches").

A URL whose host is not loopback (127.0.0.0/8, ``localhost``, ``::1``) is refused without any connection
attempt; redirects are followed by hand so that every hop is checked the same way. Bodies are streamed to
the spool, and a body past the per-URL size limit (1 GiB, :mod:`limits`) raises
:class:`~airflow_provider_hume.emulator.media.ingest.TooLarge` as soon as it is passed.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Final
from urllib.parse import urljoin, urlsplit

import requests

from airflow_provider_hume.emulator.media import limits
from airflow_provider_hume.emulator.media.ingest import CHUNK_SIZE, Spooled, spool

MAX_REDIRECTS: Final = 5
TIMEOUT_SECONDS: Final = 30.0


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is http(s) and names a loopback host literally (no DNS lookup)."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def download(url: str, directory: Path, *, timeout: float = TIMEOUT_SECONDS) -> Spooled | None:
    """Stream ``url`` into ``directory``; ``None`` when it is not loopback or the download fails.

    Raises :class:`~airflow_provider_hume.emulator.media.ingest.TooLarge` for a body over the URL size limit.
    """
    with requests.Session() as session:
        session.trust_env = False
        for _ in range(MAX_REDIRECTS + 1):
            if not is_loopback_url(url):
                return None
            try:
                with session.get(url, stream=True, timeout=timeout, allow_redirects=False) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code != 200:
                        return None
                    return spool(response.iter_content(CHUNK_SIZE), directory, limit=limits.MAX_URL_BYTES)
            except requests.RequestException:
                return None
    return None
