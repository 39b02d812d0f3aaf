"""The upload routes through the app (hume-api-v1.md §4.1, §5, §6, §8): results, refusals and their runs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.backend.state import EmulatorState
from tests.support.v1_media import documented_flow_pcm, jpeg, jpeg_header_only, noisy_jpeg, silence, tone, wav
from tests.unit.emulator.v1.conftest import Upload

Runs = Callable[..., list[dict[str, Any]]]
REQUEST_ID = re.compile(r"[0-9a-f]{32}")
FACE = (40, 40, 240, 260, 0.97)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"type", "code", "message", "request_id"}
    assert (body["type"], body["code"]) == ("error", code)
    assert REQUEST_ID.fullmatch(body["request_id"])
    return body


def test_the_documented_flow_as_a_wav_upload(upload_audio: Upload, runs: Runs) -> None:
    data = wav(documented_flow_pcm())
    response = upload_audio(data, {"measurement_timer_ms": 3000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"request_id", "run_id", "received", "utterances", "measurements"}
    assert body["received"] == {"audio_duration_ms": 26_000}
    assert body["utterances"] == [{"utterance_id": 0, "audio_start_ms": 98, "audio_end_ms": 26_000}]
    last = body["measurements"][-1]
    assert len(body["measurements"]) == 9
    assert (last["audio_start_ms"], last["audio_end_ms"], last["trigger"]) == (16_000, 26_000, "speech_ended")
    assert "type" not in last
    assert set(last) >= {"expressions", "voice_attributes", "measurement_id"}
    [run] = runs()
    assert run["run_id"] == body["run_id"]
    assert (run["status"], run["endpoint"], run["mode"]) == ("ended", "audio", "file")
    assert (run["metered_seconds"], run["bytes_received"]) == (26.0, len(data))


def test_headerless_samples_measure_like_the_same_wav(upload_audio: Upload) -> None:
    pcm = silence(500) + tone(4200)
    as_wav = upload_audio(wav(pcm)).json()
    as_raw = upload_audio(pcm, content_type="application/octet-stream").json()
    assert as_wav["measurements"] == as_raw["measurements"]
    assert as_wav["utterances"] == as_raw["utterances"]


def test_the_timer_and_the_run_config(upload_audio: Upload, client: TestClient) -> None:
    body = upload_audio(tone(21_000), {"measurement_timer_ms": 10_000}).json()
    assert [m["audio_end_ms"] for m in body["measurements"]] == [10_000, 20_000, 21_000]
    run = client.get(f"/v1/expression/run/{body['run_id']}").json()
    assert run["config"] == {
        "schema": "v4",
        "audio": {"type": "audio/pcm", "encoding": "s16le", "sample_rate": 16_000, "channels": 1},
        "measurement_timer_ms": 10_000,
    }
    assert (run["close_code"], run["close_reason"]) == (None, None)


def test_short_or_silent_audio_is_billed_ten_seconds(upload_audio: Upload, runs: Runs) -> None:
    body = upload_audio(silence(1200)).json()
    assert (body["utterances"], body["measurements"]) == ([], [])
    assert runs()[0]["metered_seconds"] == 10.0


@pytest.mark.parametrize(
    ("config", "raw"),
    [
        ({"timer_ms": 3000}, None),
        ({"measurement_timer_ms": 2999}, None),
        ({"measurement_timer_ms": 10_001}, None),
        ({"measurement_timer_ms": True}, None),
        ({"measurement_timer_ms": 3000.5}, None),
        ([3000], None),
        (None, "{not json"),
    ],
)
def test_a_bad_config_is_refused_before_any_run(
    upload_audio: Upload, runs: Runs, config: Any, raw: str | None
) -> None:
    error_of(upload_audio(tone(1000), config, raw_config=raw), 400, "config_invalid")
    assert runs() == []


def test_the_unknown_field_is_named(upload_audio: Upload) -> None:
    message = error_of(upload_audio(tone(1000), {"timer_ms": 3000}), 400, "config_invalid")["message"]
    assert "`timer_ms`" in message
    assert "`measurement_timer_ms`" in message


def test_null_config_fields_keep_their_defaults(upload_audio: Upload) -> None:
    assert upload_audio(tone(1000), {"measurement_timer_ms": None}).status_code == 200


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"ID3\x03\x00" + bytes(100), 415, "unsupported_media_type"),
        (b"fLaC" + bytes(100), 415, "unsupported_media_type"),
        (wav(tone(500), rate=8000), 400, "audio_decode_failed"),
        (wav(tone(500), format_tag=0xFFFE), 400, "audio_decode_failed"),
        (b"", 400, "audio_decode_failed"),
        (tone(500) + b"\x00", 400, "audio_decode_failed"),
    ],
)
def test_refused_audio_leaves_no_run(
    upload_audio: Upload, runs: Runs, data: bytes, status: int, code: str
) -> None:
    error_of(upload_audio(data), status, code)
    assert runs() == []


def test_an_audio_body_over_25_mb_is_too_long(upload_audio: Upload, runs: Runs) -> None:
    error_of(upload_audio(bytes(25_000_000)), 413, "audio_too_long")
    assert runs() == []


def test_just_under_the_body_limit_is_measured(upload_audio: Upload) -> None:
    response = upload_audio(bytes(24_999_000))
    assert response.status_code == 200, response.text
    assert response.json()["received"] == {"audio_duration_ms": 781_218}


@pytest.mark.parametrize(
    "files",
    [
        [],
        [("file", ("a.wav", b"\x00\x00", "audio/wav")), ("file", ("b.wav", b"\x00\x00", "audio/wav"))],
        [("file", ("a.wav", b"\x00\x00", "audio/wav")), ("notes", ("n.txt", b"x", "text/plain"))],
        [
            ("file", ("a.wav", b"\x00\x00", "audio/wav")),
            ("config", (None, "{}", "application/json")),
            ("config", (None, "{}", "application/json")),
        ],
    ],
)
def test_a_form_with_the_wrong_parts_is_message_invalid(
    client: TestClient, runs: Runs, files: list[Any]
) -> None:
    response = client.post("/v1/expression/audio/file", files=files or {"config": (None, "{}")})
    error_of(response, 400, "message_invalid")
    assert runs() == []


def test_a_body_that_is_not_multipart_is_message_invalid(client: TestClient) -> None:
    error_of(client.post("/v1/expression/audio/file", content=tone(100)), 400, "message_invalid")
    broken = client.post(
        "/v1/expression/audio/file",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    error_of(broken, 400, "message_invalid")


def test_images_are_measured_with_tracked_faces(upload_images: Upload, runs: Runs) -> None:
    moved = (44, 42, 244, 262, 0.97)
    response = upload_images(
        [jpeg(faces=[FACE]), jpeg(faces=[]), jpeg(faces=[moved, (300, 50, 420, 180, 0.95)])]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"request_id", "run_id", "received", "measurements"}
    assert body["received"] == {"frames": 3}
    assert [m["frame_id"] for m in body["measurements"]] == [0, 1, 2]
    assert body["measurements"][1]["faces"] == []
    assert [face["face_id"] for face in body["measurements"][2]["faces"]] == [0, 1]
    [run] = runs()
    assert (run["endpoint"], run["metered_seconds"], run["status"]) == ("video", 10.0, "ended")


def test_images_are_billed_a_third_of_a_second_each(upload_images: Upload, runs: Runs) -> None:
    assert upload_images([jpeg(32, 32)] * 31).status_code == 200
    assert runs()[0]["metered_seconds"] == pytest.approx(31 / 3, abs=0.001)


def test_face_state_continues_numbering_for_24_hours(
    upload_images: Upload, state: EmulatorState, clock: Any
) -> None:
    first = upload_images([jpeg(faces=[FACE])], {"face": {"return_face_state": True}}).json()
    token = first["face_state"]
    other = (400, 200, 560, 380, 0.99)
    later = upload_images([jpeg(faces=[other, FACE])], {"face_state": token}).json()
    assert [face["face_id"] for face in later["measurements"][0]["faces"]] == [0, 1]
    assert "face_state" not in later
    fresh = upload_images([jpeg(faces=[other])], {"face_state": token}).json()
    assert fresh["measurements"][0]["faces"][0]["face_id"] == 1
    clock.advance(86_400)
    expired = upload_images([jpeg(faces=[other])], {"face_state": token}).json()
    assert expired["measurements"][0]["faces"][0]["face_id"] == 0
    altered = upload_images([jpeg(faces=[other])], {"face_state": token[:-1] + "x"}).json()
    assert altered["measurements"][0]["faces"][0]["face_id"] == 0


def test_another_organisations_face_state_is_ignored(
    upload_images: Upload, client: TestClient, other_key: str
) -> None:
    token = upload_images([jpeg(faces=[FACE])], {"face": {"return_face_state": True}}).json()["face_state"]
    files = [("file", ("a.jpg", jpeg(faces=[(400, 200, 560, 380, 0.99)]), "image/jpeg"))]
    files.append(("config", (None, json.dumps({"face_state": token}), "application/json")))  # type: ignore[arg-type]
    response = client.post("/v1/expression/video/file", files=files, headers={"X-Hume-Api-Key": other_key})
    assert response.json()["measurements"][0]["faces"][0]["face_id"] == 0


def test_face_settings_apply(upload_images: Upload, client: TestClient) -> None:
    faces = [(10, 10, 60, 60, 0.95), (100, 100, 300, 300, 0.6)]
    strict = upload_images([jpeg(faces=faces)]).json()["measurements"][0]["faces"]
    loose = upload_images([jpeg(faces=faces)], {"face": {"threshold": 0.5, "min_size": 40}}).json()
    assert strict == []
    assert len(loose["measurements"][0]["faces"]) == 2
    run = client.get(f"/v1/expression/run/{loose['run_id']}").json()
    assert run["config"] == {
        "schema": "v4",
        "image": {"type": "image/jpeg"},
        "face": {"threshold": 0.5, "min_size": 40},
    }


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"face": {"threshold": 1.5}}, "threshold"),
        ({"face": {"min_size": 0}}, "min_size"),
        ({"face": {"return_face_state": "yes"}}, "return_face_state"),
        ({"face": {"size": 3}}, "`face.size`"),
        ({"faces": {}}, "`faces`"),
        ({"face_state": 12}, "face_state"),
    ],
)
def test_a_bad_video_config_is_refused_before_any_run(
    upload_images: Upload, runs: Runs, config: Any, words: str
) -> None:
    assert words in error_of(upload_images([jpeg()], config), 400, "config_invalid")["message"]
    assert runs() == []


@pytest.mark.parametrize(
    ("bad", "status", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(64), 415, "unsupported_media_type"),
        (jpeg_header_only(4000, 2500), 413, "image_too_large"),
        (jpeg(64, 64)[:60], 400, "image_decode_failed"),
    ],
)
def test_one_bad_image_fails_the_request_and_errors_its_run(
    upload_images: Upload, runs: Runs, bad: bytes, status: int, code: str
) -> None:
    body = error_of(upload_images([jpeg(), bad, jpeg()]), status, code)
    assert "image 1" in body["message"]
    [run] = runs()
    assert (run["status"], run["metered_seconds"]) == ("errored", 0)


def test_an_image_over_2_mb_is_too_large(upload_images: Upload) -> None:
    big = noisy_jpeg(1600, 1400)
    assert len(big) > 2_000_000
    error_of(upload_images([jpeg(), big]), 413, "image_too_large")


def test_an_image_that_cannot_be_decoded_after_the_checks_errors_the_run(
    upload_images: Upload, runs: Runs
) -> None:
    data = noisy_jpeg(320, 240)
    error_of(upload_images([jpeg(), data[: len(data) // 2]]), 400, "image_decode_failed")
    assert runs()[0]["status"] == "errored"


def test_a_video_body_over_25_mb_is_refused_without_a_run(upload_images: Upload, runs: Runs) -> None:
    error_of(upload_images([bytes(25_000_000)]), 413, "image_too_large")
    assert runs() == []
