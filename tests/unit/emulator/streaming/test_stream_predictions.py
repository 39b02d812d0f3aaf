"""Prediction shapes per model (hume-api-v0.md §4.4), exact name sets (§3) and determinism (§8)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from airflow_provider_hume.emulator.inference.names import (
    EXPRESSIONS_48,
    EXPRESSIONS_53,
    FACE_DESCRIPTIONS,
    FACS,
    SENTIMENT,
    TOXICITY,
)
from airflow_provider_hume.emulator.streaming.route import STREAM_PATH

Ask = Callable[..., dict[str, Any]]
TEXT = "Mary had a little lamb. Its fleece was white as snow!  And everywhere that Mary went"


def names(scores: list[dict[str, Any]]) -> list[str]:
    return [score["name"] for score in scores]


def keys_conform(value: Any, allowed: dict[str, list[str]], schema: str) -> None:
    assert set(value) <= set(allowed[schema]), (schema, set(value))


def test_face_prediction_shape(ask: Ask, media: Any, reference: dict[str, Any]) -> None:
    schema = reference["schema_properties"]
    reply = ask(data=media.b64(media.image()), models={"face": {}})
    keys_conform(reply, schema, "StreamModelPredictions")
    (face, *_) = reply["face"]["predictions"]
    keys_conform(face, schema, "FacePredictionsItem")
    assert face["frame"] == 0
    assert face["time"] is None
    assert face["face_id"] == "unknown"
    assert set(face["bbox"]) == set(schema["StreamBoundingBox"])
    assert all(value >= 0 for value in face["bbox"].values())
    assert face["bbox"]["x"] + face["bbox"]["w"] <= 640
    assert face["bbox"]["y"] + face["bbox"]["h"] <= 480
    assert 0.99 <= face["prob"] <= 1
    assert names(face["emotions"]) == list(EXPRESSIONS_48)
    assert "facs" not in face
    assert "descriptions" not in face


def test_face_facs_and_descriptions_when_enabled(ask: Ask, media: Any) -> None:
    reply = ask(data=media.b64(media.image()), models={"face": {"facs": {}, "descriptions": {}}})
    face = reply["face"]["predictions"][0]
    assert names(face["facs"]) == list(FACS)
    assert names(face["descriptions"]) == list(FACE_DESCRIPTIONS)


def test_face_thresholds_filter_faces(ask: Ask, media: Any) -> None:
    image = media.b64(media.image())
    loose = ask(data=image, models={"face": {"prob_threshold": 0, "min_face_size": 0}})["face"]["predictions"]
    strict = ask(data=image, models={"face": {"prob_threshold": 1.0}})["face"]
    assert loose
    assert strict["code"] == "W0103"
    big = ask(data=image, models={"face": {"min_face_size": 1000}})["face"]
    assert big["code"] == "W0103"


def test_face_ids_are_stable_over_the_session(ask: Ask, media: Any) -> None:
    config = {"face": {"identify_faces": True, "prob_threshold": 0, "min_face_size": 0}}
    frames = [media.b64(media.image(640 + step, 480)) for step in range(6)]
    first = [
        [face["face_id"] for face in ask(data=frame, models=config)["face"]["predictions"]]
        for frame in frames
    ]
    assert ask(reset_stream=True) == {}
    again = [
        [face["face_id"] for face in ask(data=frame, models=config)["face"]["predictions"]]
        for frame in frames
    ]
    assert first == again
    assert {"face_0", "face_1"} == {face_id for ids in first for face_id in ids}
    assert all(ids[0] == "face_0" for ids in first)


def test_prosody_and_burst_shape(ask: Ask, media: Any, reference: dict[str, Any]) -> None:
    schema = reference["schema_properties"]
    reply = ask(data=media.b64(media.wav(4.5)), models={"prosody": {}, "burst": {}})
    for model in ("prosody", "burst"):
        predictions = reply[model]["predictions"]
        assert predictions
        for prediction in predictions:
            keys_conform(prediction, schema, "ProsodyPredictionsItem")
            assert set(prediction["time"]) == set(schema["TimeRange"])
            assert 0 <= prediction["time"]["begin"] < prediction["time"]["end"] <= 4.5
            assert names(prediction["emotions"]) == list(EXPRESSIONS_48)
    spans = [(p["time"]["begin"], p["time"]["end"]) for p in reply["prosody"]["predictions"]]
    assert spans[0][0] == 0
    assert spans[-1][1] == 4.5
    assert all(end == begin for (_, end), (begin, _) in itertools.pairwise(spans))
    assert len(reply["burst"]["predictions"]) == 2


def test_language_shape_and_name_sets(ask: Ask, reference: dict[str, Any]) -> None:
    schema = reference["schema_properties"]
    models = {"language": {"sentiment": {}, "toxicity": {}, "granularity": "passage"}}
    (passage,) = ask(data=TEXT, raw_text=True, models=models)["language"]["predictions"]
    keys_conform(passage, schema, "LanguagePredictionsItem")
    assert passage["text"] == TEXT
    assert passage["position"] == {"begin": 0, "end": len(TEXT)}
    assert names(passage["emotions"]) == list(EXPRESSIONS_53)
    assert len(passage["emotions"]) == 53
    assert names(passage["sentiment"]) == list(SENTIMENT)
    assert sum(score["score"] for score in passage["sentiment"]) == pytest.approx(1.0)
    assert names(passage["toxicity"]) == list(TOXICITY)


def test_language_without_options_has_only_emotions(ask: Ask) -> None:
    for prediction in ask(data=TEXT, raw_text=True, models={"language": {}})["language"]["predictions"]:
        assert set(prediction) == {"text", "position", "emotions"}


@pytest.mark.parametrize(
    ("granularity", "texts"),
    [
        ("word", TEXT.split()),
        (
            "sentence",
            ["Mary had a little lamb.", "Its fleece was white as snow!", "And everywhere that Mary went"],
        ),
        (
            "utterance",
            ["Mary had a little lamb.", "Its fleece was white as snow!", "And everywhere that Mary went"],
        ),
        ("passage", [TEXT]),
    ],
)
def test_language_granularity(ask: Ask, granularity: str, texts: list[str]) -> None:
    data = f"  {TEXT} "
    reply = ask(data=data, raw_text=True, models={"language": {"granularity": granularity}})
    predictions = reply["language"]["predictions"]
    assert [prediction["text"] for prediction in predictions] == texts
    for prediction in predictions:
        assert data[prediction["position"]["begin"] : prediction["position"]["end"]] == prediction["text"]


def test_facemesh_shape(ask: Ask, media: Any, reference: dict[str, Any]) -> None:
    predictions = ask(data=media.b64(media.landmarks(3)), models={"facemesh": {}})["facemesh"]["predictions"]
    assert len(predictions) == 3
    for prediction in predictions:
        keys_conform(prediction, reference["schema_properties"], "FacemeshPredictionsItem")
        assert names(prediction["emotions"]) == list(EXPRESSIONS_48)


def test_same_input_gives_same_predictions_on_any_connection(
    ask: Ask, stream_client: TestClient, api_key: str, media: Any
) -> None:
    payloads = [
        {"data": media.b64(media.image()), "models": {"face": {"facs": {}}}},
        {"data": media.b64(media.wav(1.0)), "models": {"prosody": {}, "burst": {}}, "reset_stream": True},
        {"data": TEXT, "raw_text": True, "models": {"language": {"sentiment": {}}}},
        {"data": media.b64(media.landmarks(2)), "models": {"facemesh": {}}},
    ]
    first = [ask(**payload) for payload in payloads]
    with stream_client.websocket_connect(STREAM_PATH, headers={"X-Hume-Api-Key": api_key}) as other:
        for payload, expected in zip(payloads, first, strict=True):
            other.send_json(payload)
            assert other.receive_json() == expected


def test_different_media_give_different_scores(ask: Ask, media: Any) -> None:
    one = ask(data=media.b64(media.image(640, 480)), models={"face": {}})
    two = ask(data=media.b64(media.image(641, 480)), models={"face": {}})
    assert one != two


def test_models_reply_in_request_order(ask: Ask, media: Any) -> None:
    wav = media.b64(media.wav(1.0))
    assert list(ask(data=wav, models={"burst": {}, "prosody": {}})) == ["burst", "prosody"]
    assert list(ask(data=wav, models={"prosody": {}, "burst": {}}, reset_stream=True)) == ["prosody", "burst"]
