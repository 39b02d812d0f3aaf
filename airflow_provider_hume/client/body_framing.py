"""Which format check a downloaded body gets, by what its HTTP framing already proves.

A body sent with a ``Content-Length`` or chunked is proven whole by HTTP itself: urllib3 raises when fewer
bytes arrive than announced, and when a chunked body breaks off before its last (zero-length) chunk. Only a
body framed by the connection closing (neither) can end early without notice, so only there must the format
check read to the end. For a framed body the check reads its first :data:`HEAD_BYTES`, which is where a body
of the wrong kind (an HTML error page sent with a 2xx) shows.

What that gives up: a server that ends a chunked body early *cleanly* (its last chunk sent after a cut) or
sends a damaged JSON or ZIP with a correct framing. ``"always"`` checks those too, at the check's CPU cost
(see docs/transfers.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, cast, get_args

if TYPE_CHECKING:  # verify loads requests; a transfer checks its argument when the DAG is parsed
    from airflow_provider_hume.client.verify import BodyCheck

#: ``"unframed"``: the whole body's format when its framing cannot prove it whole, its head otherwise;
#: ``"always"``: every body's whole format; ``"never"``: only the length and the connection.
Verification = Literal["unframed", "always", "never"]
VERIFICATIONS: Final[tuple[str, ...]] = get_args(Verification)
#: How much of a framed body its format check sees.
HEAD_BYTES: Final = 64 * 1024


class HeadCheck:
    """``check`` over the body's first ``head_bytes`` only; a body no longer than that is checked whole."""

    def __init__(self, check: BodyCheck, head_bytes: int = HEAD_BYTES) -> None:
        self.check = check
        self.head_bytes = head_bytes
        self.max_buffered = 0
        self._seen = 0

    def feed(self, data: bytes) -> None:
        if self._seen < self.head_bytes:
            self.check.feed(data[: self.head_bytes - self._seen])
            self.max_buffered = self.check.max_buffered
        self._seen += len(data)

    def finish(self) -> None:
        if self._seen <= self.head_bytes:
            self.check.finish()


def check_verification(verify: str) -> Verification:
    """``verify`` if it names a :data:`Verification`; a ValueError naming the choices otherwise."""
    if verify not in VERIFICATIONS:
        raise ValueError(f"verify must be one of {', '.join(map(repr, VERIFICATIONS))}; got {verify!r}")
    return cast("Verification", verify)


def check_transfer_verification(verify_body: str) -> Verification:
    """``verify_body`` of a transfer, which stores what it reads: ``"unframed"`` or ``"always"``. ``"never"``
    is refused, since a body framed by the connection closing could then be stored cut short."""
    if verify_body not in ("unframed", "always"):
        why = " (a body without a length could then be stored cut short)" if verify_body == "never" else ""
        raise ValueError(
            "verify_body must be 'unframed' (the default) or 'always' for a transfer; "
            f"got {verify_body!r}{why}"
        )
    return cast("Verification", verify_body)


def framed_check(check: BodyCheck, verify: Verification, *, framed: bool) -> BodyCheck:
    """The check a body gets under ``verify``, ``framed`` saying whether HTTP proves it whole."""
    if verify == "never":
        from airflow_provider_hume.client.verify import NoCheck

        return NoCheck()
    if verify == "unframed" and framed:
        return HeadCheck(check)
    return check
