"""Signed ``face_state`` tokens (hume-api-v1.md §6): a tracker's state, its organisation and an expiry.

A token is ``base64url(JSON) "." base64url(HMAC-SHA256(secret, JSON))`` with a per-emulator random secret.
One that was altered, has expired (``ttl_seconds``, 24 h by default) or belongs to another organisation
restores nothing: the request then numbers faces from 0, silently, as Hume does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable

from airflow_provider_hume.emulator.v1.face_tracking import FaceTracker


class FaceStateSigner:
    """Issues and checks tokens; ``clock`` gives Unix seconds."""

    def __init__(self, secret: bytes, ttl_seconds: float, clock: Callable[[], float]) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        self._clock = clock

    def issue(self, tracker: FaceTracker, organisation: str) -> str:
        """A token carrying ``tracker`` for ``organisation``, valid for ``ttl_seconds`` from now."""
        payload = {"org": organisation, "exp": self._clock() + self._ttl, "tracker": tracker.to_json()}
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def restore(self, token: str, organisation: str) -> FaceTracker | None:
        """The tracker in a valid token of ``organisation``; ``None`` for any other token."""
        encoded_body, _, encoded_signature = token.partition(".")
        try:
            body, signature = _unb64(encoded_body), _unb64(encoded_signature)
        except ValueError:
            return None
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(body)
            if payload["org"] != organisation or not self._clock() < float(payload["exp"]):
                return None
            return FaceTracker.from_json(payload["tracker"])
        except (ValueError, KeyError, TypeError):
            return None

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, body, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
