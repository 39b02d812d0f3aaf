"""Which check a body gets by its framing: the whole format where HTTP cannot prove the body whole, the head
where it can."""

from __future__ import annotations

import io
import json

import pytest

from airflow_provider_hume.client.body_framing import (
    HEAD_BYTES,
    HeadCheck,
    check_transfer_verification,
    check_verification,
    framed_check,
)
from airflow_provider_hume.client.json_structure import JsonStructureCheck
from airflow_provider_hume.client.verify import BodyCheck, BodyDefect, NoCheck, VerifiedBody
from airflow_provider_hume.client.zip_check import ZipCheck

#: A JSON array longer than the head, so its end lies beyond what a head check reads.
LONG_JSON = json.dumps([{"name": "Joy", "score": index / 1000} for index in range(HEAD_BYTES // 10)]).encode()


def feed_all(check: BodyCheck, body: bytes, step: int = 10_000) -> None:
    for start in range(0, len(body), step):
        check.feed(body[start : start + step])
    check.finish()


def test_a_long_body_is_checked_only_as_far_as_its_head() -> None:
    assert len(LONG_JSON) > 2 * HEAD_BYTES
    feed_all(HeadCheck(JsonStructureCheck()), LONG_JSON[: len(LONG_JSON) // 2])
    with pytest.raises(BodyDefect, match="incomplete or invalid at its end"):
        feed_all(JsonStructureCheck(), LONG_JSON[: len(LONG_JSON) // 2])


def test_a_head_of_the_wrong_format_fails_at_once() -> None:
    check = HeadCheck(JsonStructureCheck())
    with pytest.raises(BodyDefect):
        check.feed(b"<html><body>Service unavailable</body></html>")
    with pytest.raises(BodyDefect):
        HeadCheck(ZipCheck()).feed(b"<html>" + b" " * 100)


def test_the_head_ends_mid_feed() -> None:
    """A feed that straddles the head's end passes on only the bytes up to it."""
    check = HeadCheck(JsonStructureCheck(), head_bytes=4)
    check.feed(b"[1, ]]]")  # the stray brackets lie past the 4-byte head
    check.finish()
    with pytest.raises(BodyDefect, match="brackets do not match"):
        HeadCheck(JsonStructureCheck(), head_bytes=5).feed(b"[1, }]]")


@pytest.mark.parametrize("body", [b"", b"   ", b"[1, 2", b'{"a": "b'])
def test_a_body_no_longer_than_the_head_is_checked_whole(body: bytes) -> None:
    check = HeadCheck(JsonStructureCheck())
    check.feed(body)
    with pytest.raises(BodyDefect):
        check.finish()


def test_a_head_check_reports_what_its_check_held() -> None:
    check = HeadCheck(JsonStructureCheck())
    check.feed(LONG_JSON)
    assert 0 < check.max_buffered <= HEAD_BYTES


def test_the_check_follows_the_framing() -> None:
    whole = JsonStructureCheck()
    assert isinstance(framed_check(whole, "unframed", framed=True), HeadCheck)
    assert framed_check(whole, "unframed", framed=False) is whole
    assert framed_check(whole, "always", framed=True) is whole
    assert isinstance(framed_check(whole, "never", framed=False), NoCheck)


def test_a_verified_body_with_a_head_check_passes_a_cut_framed_body_through() -> None:
    """What ``"unframed"`` gives up, on a framed body: a cut its framing did not see."""
    cut = LONG_JSON[: len(LONG_JSON) // 2]
    body = VerifiedBody(io.BytesIO(cut), HeadCheck(JsonStructureCheck()), body="predictions")
    assert io.BufferedReader(body).read() == cut


@pytest.mark.parametrize("verify", ["unframed", "always", "never"])
def test_every_verification_is_accepted(verify: str) -> None:
    assert check_verification(verify) == verify


def test_an_unknown_verification_names_the_choices() -> None:
    with pytest.raises(
        ValueError, match="verify must be one of 'unframed', 'always', 'never'; got 'sometimes'"
    ):
        check_verification("sometimes")


def test_a_transfer_refuses_never() -> None:
    assert check_transfer_verification("always") == "always"
    with pytest.raises(ValueError, match=r"got 'never' \(a body without a length could then be stored cut"):
        check_transfer_verification("never")
    with pytest.raises(
        ValueError, match=r"^verify_body must be 'unframed' \(the default\) or 'always' for a"
    ):
        check_transfer_verification("sometimes")
