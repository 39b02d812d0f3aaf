"""Every documented option changes the output as documented (hume-api-v0.md §2.2), on audio, video and text.

Audio is "transcribed" into the emulator's pseudo-transcript (see ``transcript``), so the text-based options
(granularity, language, NER, speakers, confidence threshold) have something to act on.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.samples_audio import flac_bytes
from tests.support.samples_mp4 import mp4_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

Predict = Callable[[str], list[dict[str, Any]]]
Run = Callable[..., dict[str, Any]]
SPEECH = ("speech.flac", flac_bytes(40.0))
GRANULARITIES = ("word", "utterance", "sentence", "conversational_turn")


@pytest.fixture
def run(client: TestClient, predictions: Predict) -> Run:
    """Upload one file with a config and return the ``models`` of its only prediction entry."""

    def _run(config: dict[str, Any], file: tuple[str, bytes] = SPEECH) -> dict[str, Any]:
        parts = [("json", (None, json.dumps(config))), ("file", file)]
        response = client.post("/v0/batch/jobs", files=parts)
        assert response.status_code == 200, response.text
        (source,) = predictions(response.json()["job_id"])
        assert source["results"]["errors"] == []
        (entry,) = source["results"]["predictions"]
        models: dict[str, Any] = entry["models"]
        return models

    return _run


def flat(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [prediction for group in model["grouped_predictions"] for prediction in group["predictions"]]


def ids(model: dict[str, Any]) -> set[str]:
    return {group["id"] for group in model["grouped_predictions"]}


@pytest.mark.parametrize("model", ["prosody", "language"])
def test_granularity_cuts_the_transcript_of_audio(run: Run, model: str) -> None:
    found = {g: flat(run({"models": {model: {"granularity": g}}})[model]) for g in GRANULARITIES}
    counts = [len(found[granularity]) for granularity in GRANULARITIES]
    assert counts[0] > counts[1] > counts[2] > counts[3] >= 1
    texts = {granularity: " ".join(p["text"] for p in found[granularity]) for granularity in GRANULARITIES}
    assert len(set(texts.values())) == 1
    for predictions in found.values():
        assert all(0 <= p["time"]["begin"] < p["time"]["end"] <= 40.0 for p in predictions)
        assert all(0 <= p["confidence"] <= 1 for p in predictions)
    assert all(p["text"][-1] in ".?!" for p in found["sentence"])


def test_language_positions_index_the_transcript(run: Run) -> None:
    language = run({"models": {"language": {"granularity": "sentence"}}})["language"]
    assert language["metadata"]["detected_language"] == "en"
    assert 0 < language["metadata"]["confidence"] <= 1
    sentences = flat(language)
    transcript = " ".join(p["text"] for p in sentences)
    for prediction in sentences:
        position = prediction["position"]
        assert transcript[position["begin"] : position["end"]] == prediction["text"]


def test_prosody_window_overrides_granularity_and_has_no_text(run: Run) -> None:
    window = {"granularity": "word", "window": {"length": 10, "step": 5}}
    prosody = run({"models": {"prosody": window}})["prosody"]
    spans = [(p["time"]["begin"], p["time"]["end"]) for p in flat(prosody)]
    assert spans == [(0, 10), (5, 15), (10, 20), (15, 25), (20, 30), (25, 35), (30, 40)]
    assert all("text" not in p and p["confidence"] is None for p in flat(prosody))
    assert prosody["metadata"]["detected_language"] == "en"


@pytest.mark.parametrize(
    ("config", "identified"),
    [
        ({"models": {"prosody": {}, "language": {}, "ner": {}}}, False),
        ({"models": {"prosody": {"identify_speakers": True}, "language": {"identify_speakers": True},
                     "ner": {"identify_speakers": True}}}, True),
        ({"models": {"prosody": {}, "language": {}, "ner": {}},
          "transcription": {"identify_speakers": True}}, True),
    ],
)  # fmt: skip
def test_identify_speakers_labels_groups_by_speaker(
    run: Run, config: dict[str, Any], identified: bool
) -> None:
    models = run(config)
    for name in ("prosody", "language", "ner"):
        predictions = flat(models[name])
        assert predictions, name
        if identified:
            assert ids(models[name]) <= {"spk_0", "spk_1"}
            assert all(0 <= p["speaker_confidence"] <= 1 for p in predictions)
        else:
            assert ids(models[name]) == {"unknown"}
            assert all(p["speaker_confidence"] is None for p in predictions)
    if identified:
        assert ids(models["language"]) == {"spk_0", "spk_1"}


def test_conversational_turns_alternate_speakers(run: Run) -> None:
    config = {"models": {"prosody": {"granularity": "conversational_turn", "identify_speakers": True}}}
    groups = run(config)["prosody"]["grouped_predictions"]
    turns = sorted((p["time"]["begin"], group["id"]) for group in groups for p in group["predictions"])
    assert len(turns) > 1
    assert all(a[1] != b[1] for a, b in itertools.pairwise(turns))


def test_language_scores_on_audio(run: Run) -> None:
    config = {"models": {"language": {"sentiment": {}, "toxicity": {}}}}
    word = flat(run(config)["language"])[0]
    assert [score["name"] for score in word["sentiment"]] == [str(level) for level in range(1, 10)]
    assert len(word["toxicity"]) == 6
    plain = flat(run({"models": {"language": {}}})["language"])[0]
    assert (plain["sentiment"], plain["toxicity"]) == (None, None)
    assert plain["emotions"] == word["emotions"]


def test_ner_on_audio_finds_the_names_with_positions_times_and_links(run: Run) -> None:
    models = run({"models": {"ner": {}, "language": {"granularity": "conversational_turn"}}})
    transcript = " ".join(p["text"] for p in flat(models["language"]))
    entities = flat(models["ner"])
    assert entities
    for entity in entities:
        assert transcript[entity["position"]["begin"] : entity["position"]["end"]] == entity["entity"]
        assert entity["entity"][0].isupper()
        assert entity["uri"] == f"https://en.wikipedia.org/wiki/{entity['entity']}"
        assert entity["link_word"] == entity["entity"]
        assert 0 <= entity["time"]["begin"] < entity["time"]["end"] <= 40.0
        assert 0 <= entity["confidence"] <= 1


def test_ner_identify_speakers_on_text(submit: Callable[..., str], predictions: Predict) -> None:
    job_id = submit(models={"ner": {"identify_speakers": True}}, text=["We met Alice in Paris."])
    ner = predictions(job_id)[0]["results"]["predictions"][0]["models"]["ner"]
    assert ids(ner) == {"spk_0"}
    assert [(p["entity"], p["position"]) for p in flat(ner)] == [
        ("Alice", {"begin": 7, "end": 12}),
        ("Paris", {"begin": 16, "end": 21}),
    ]


def test_transcription_null_leaves_audio_without_text(
    run: Run, client: TestClient, predictions: Predict
) -> None:
    models = run(
        {"models": {"prosody": {"granularity": "word"}, "language": {}, "ner": {}}, "transcription": None}
    )
    assert list(models) == ["prosody"]
    assert models["prosody"]["metadata"] is None
    assert all("text" not in p and p["confidence"] is None for p in flat(models["prosody"]))
    body = {"models": {"language": {}}, "transcription": None}
    job_id = client.post("/v0/batch/jobs", files=[("json", (None, json.dumps(body))), ("file", SPEECH)])
    (source,) = predictions(job_id.json()["job_id"])
    message = "none of the requested models (language) supports audio input with transcription disabled"
    assert source["results"]["errors"] == [{"message": message, "file": "speech.flac"}]


def test_transcription_language_is_the_detected_language(run: Run) -> None:
    config = {"models": {"prosody": {}, "language": {}, "ner": {}}, "transcription": {"language": "es-419"}}
    models = run(config)
    assert {models[name]["metadata"]["detected_language"] for name in models} == {"es-419"}
    default = run({"models": {"language": {}}})["language"]
    assert default["metadata"]["detected_language"] == "en"
    assert flat(default) == flat(models["language"])


def test_confidence_threshold_drops_unsure_sentences(run: Run) -> None:
    def sentences(threshold: float) -> list[dict[str, Any]]:
        config = {
            "models": {"language": {"granularity": "sentence"}},
            "transcription": {"confidence_threshold": threshold},
        }
        return flat(run(config)["language"])

    everything, strict, nothing = sentences(0.0), sentences(0.8), sentences(1.0)
    assert 0 < len(strict) < len(everything)
    assert nothing == []
    assert all(p["confidence"] >= 0.8 for p in strict)
    assert any(p["confidence"] < 0.8 for p in everything)


@pytest.mark.parametrize(
    ("fps_pred", "frames"), [(3, list(range(0, 120, 10))), (1, [0, 30, 60, 90]), (0, list(range(120)))]
)
def test_fps_pred_samples_video_frames(run: Run, fps_pred: float, frames: list[int]) -> None:
    config = {"models": {"face": {"fps_pred": fps_pred, "prob_threshold": 0, "identify_faces": True}}}
    face = run(config, ("clip.mp4", mp4_bytes(4.0, video=(640, 480, 30.0), audio_rate=None)))["face"]
    for group in face["grouped_predictions"]:
        assert [p["frame"] for p in group["predictions"]] == frames
        assert [p["time"] for p in group["predictions"]] == [round(frame / 30, 3) for frame in frames]
    assert "face_0" in ids(face)


def test_face_boxes_move_a_little_between_frames(run: Run) -> None:
    config = {"models": {"face": {"fps_pred": 30, "prob_threshold": 0, "identify_faces": True}}}
    face = run(config, ("clip.mp4", mp4_bytes(1.0, video=(640, 480, 30.0), audio_rate=None)))["face"]
    (first,) = [group for group in face["grouped_predictions"] if group["id"] == "face_0"]
    boxes = [p["box"] for p in first["predictions"]]
    assert len(boxes) == 30
    assert len({(box["x"], box["y"]) for box in boxes}) > 1
    assert all(abs(a["x"] - b["x"]) < 10 for a, b in itertools.pairwise(boxes))
    assert all(0 <= box["x"] <= box["x"] + box["w"] <= 640 for box in boxes)


def test_min_face_size_drops_small_faces_on_video(run: Run) -> None:
    clip = ("clip.mp4", mp4_bytes(1.0, video=(640, 480, 30.0), audio_rate=None))
    assert flat(run({"models": {"face": {"prob_threshold": 0}}}, clip)["face"])
    assert flat(run({"models": {"face": {"prob_threshold": 0, "min_face_size": 481}}}, clip)["face"]) == []


def test_video_runs_face_and_the_audio_models(run: Run) -> None:
    all_models = {"face": {}, "prosody": {}, "burst": {}, "language": {}, "ner": {}, "facemesh": {}}
    models = run({"models": all_models}, ("clip.mp4", mp4_bytes(6.0)))
    assert sorted(models) == ["burst", "face", "language", "ner", "prosody"]
    silent = run({"models": all_models}, ("clip.mp4", mp4_bytes(6.0, audio_rate=None)))
    assert sorted(silent) == ["face"]


def test_output_depends_only_on_bytes_model_config_and_segment(run: Run) -> None:
    clip = mp4_bytes(3.0)
    config = {"models": {"face": {"prob_threshold": 0}, "prosody": {}, "language": {}, "ner": {}}}
    first = run(config, ("first.mp4", clip))
    assert run(config, ("renamed.mp4", clip)) == first
    other = {
        "models": {"face": {"prob_threshold": 0, "facs": {}}, "prosody": {}, "language": {"toxicity": {}}}
    }
    changed = run(other, ("first.mp4", clip))
    assert changed["prosody"] == first["prosody"]
    assert [p["emotions"] for p in flat(changed["face"])] == [p["emotions"] for p in flat(first["face"])]
    assert [p["emotions"] for p in flat(changed["language"])] == [
        p["emotions"] for p in flat(first["language"])
    ]
    assert run(config, ("first.mp4", mp4_bytes(3.1))) != first
