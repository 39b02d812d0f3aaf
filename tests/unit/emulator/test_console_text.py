"""Console text: URLs shown without user info, query string or fragment, alone and inside messages."""

from __future__ import annotations

import pytest

from airflow_provider_hume.emulator.http.console_text import badge, shown_text, shown_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://bucket.example/a.wav", "https://bucket.example/a.wav"),
        ("https://user:pw@host:8443/a.wav?X-Amz-Signature=s#frag", "https://host:8443/a.wav?…"),
        ("http://127.0.0.1:9/x#only-fragment", "http://127.0.0.1:9/x?…"),
        ("http://[::1/x", "<unparseable URL>"),
    ],
)
def test_shown_url(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_urls_in_text_keep_the_punctuation_around_them() -> None:
    text = "could not download https://h/a.wav?apikey=k1: see (http://h/b?t=k2)."
    assert shown_text(text) == "could not download https://h/a.wav?…: see (http://h/b?…)."


def test_known_urls_are_found_whole_even_with_spaces() -> None:
    url = "https://h/my clip.wav?apikey=k1"
    assert shown_text(f"could not download {url}", [url]) == "could not download https://h/my clip.wav?…"
    assert "k1" in shown_text(f"could not download {url}")  # why the URL itself is passed


def test_badge_is_escaped() -> None:
    assert badge("<x>") == '<span class="status &lt;x&gt;">&lt;x&gt;</span>'
