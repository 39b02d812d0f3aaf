"""Predictions: §2.7 shapes, exact name sets (§3), model selection, config effects and determinism (§8)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.samples import image_bytes, wav_bytes

if TYPE_CHECKING:
    from starlette.testclient import TestClient

Predict = Callable[[str], list[dict[str, Any]]]

EXPRESSIONS_48 = [
    "Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Anxiety", "Awe",
    "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation", "Contempt",
    "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disgust", "Distress", "Doubt",
    "Ecstasy", "Embarrassment", "Empathic Pain", "Entrancement", "Envy", "Excitement", "Fear", "Guilt",
    "Horror", "Interest", "Joy", "Love", "Nostalgia", "Pain", "Pride", "Realization", "Relief", "Romance",
    "Sadness", "Satisfaction", "Shame", "Surprise (negative)", "Surprise (positive)", "Sympathy", "Tiredness",
    "Triumph",
]  # fmt: skip
EXPRESSIONS_53 = sorted([*EXPRESSIONS_48, "Annoyance", "Disapproval", "Enthusiasm", "Gratitude", "Sarcasm"])
TEXT = "Barack Obama visited New York. It was great! Everyone cheered."


@pytest.fixture
def upload(client: TestClient) -> Callable[..., str]:
    """POST a multipart job: ``upload(config, (filename, bytes), ...)`` returns the job id."""

    def _upload(config: dict[str, Any] | None, *files: tuple[str, bytes]) -> str:
        parts: list[tuple[str, Any]] = [("file", (name, data)) for name, data in files]
        if config is not None:
            parts.insert(0, ("json", (None, json.dumps(config))))
        response = client.post("/v0/batch/jobs", files=parts)
        assert response.status_code == 200, response.text
        job_id: str = response.json()["job_id"]
        return job_id

    return _upload


def names(scores: list[dict[str, Any]]) -> list[str]:
    assert all(0.0 <= score["score"] <= 1.0 for score in scores)
    return [score["name"] for score in scores]


def only_prediction(result: dict[str, Any]) -> dict[str, Any]:
    predictions = result["results"]["predictions"]
    assert len(predictions) == 1
    entry: dict[str, Any] = predictions[0]
    return entry


def test_raw_text_is_one_source_with_one_entry_per_string(
    submit: Callable[..., str], predictions: Predict
) -> None:
    job_id = submit(models={"language": {}}, text=["Test!", "Second text here."])
    (source,) = predictions(job_id)
    assert source["source"] == {"type": "text"}
    assert source["results"]["errors"] == []
    entries = source["results"]["predictions"]
    assert [entry["file"] for entry in entries] == ["text_0", "text_1"]
    first = entries[0]["models"]["language"]
    assert first["metadata"] is None
    assert first["grouped_predictions"][0]["id"] == "unknown"
    word = first["grouped_predictions"][0]["predictions"][0]
    assert word["text"] == "Test!"
    assert word["position"] == {"begin": 0, "end": 5}
    assert names(word["emotions"]) == EXPRESSIONS_53
    assert word["sentiment"] is None
    assert word["toxicity"] is None
    assert {"time", "confidence", "speaker_confidence"} <= word.keys()


@pytest.mark.parametrize(
    ("granularity", "texts"),
    [
        ("word", TEXT.split()),
        ("sentence", ["Barack Obama visited New York.", "It was great!", "Everyone cheered."]),
        ("utterance", ["Barack Obama visited New York.", "It was great!", "Everyone cheered."]),
        ("conversational_turn", [TEXT]),
    ],
)
def test_language_granularity(
    submit: Callable[..., str], predictions: Predict, granularity: str, texts: list[str]
) -> None:
    job_id = submit(models={"language": {"granularity": granularity}}, text=[TEXT])
    language = only_prediction(predictions(job_id)[0])["models"]["language"]
    found = language["grouped_predictions"][0]["predictions"]
    assert [item["text"] for item in found] == texts
    assert all(TEXT[item["position"]["begin"] : item["position"]["end"]] == item["text"] for item in found)


def test_sentiment_toxicity_and_speaker_ids(submit: Callable[..., str], predictions: Predict) -> None:
    config = {"language": {"sentiment": {}, "toxicity": {}, "identify_speakers": True}}
    job_id = submit(models=config, text=["Hello there"])
    group = only_prediction(predictions(job_id)[0])["models"]["language"]["grouped_predictions"][0]
    assert group["id"] == "spk_0"
    word = group["predictions"][0]
    assert names(word["sentiment"]) == [str(level) for level in range(1, 10)]
    assert sum(score["score"] for score in word["sentiment"]) == pytest.approx(1.0)
    assert names(word["toxicity"]) == [
        "toxic",
        "severe_toxic",
        "obscene",
        "threat",
        "insult",
        "identity_hate",
    ]


def test_ner_entities(submit: Callable[..., str], predictions: Predict) -> None:
    job_id = submit(models={"ner": {}}, text=[TEXT])
    models = only_prediction(predictions(job_id)[0])["models"]
    assert list(models) == ["ner"]
    found = models["ner"]["grouped_predictions"][0]["predictions"]
    assert [item["entity"] for item in found] == ["Barack Obama", "New York"]
    obama = found[0]
    assert obama["position"] == {"begin": 0, "end": 12}
    assert obama["link_word"] == "Obama"
    assert obama["uri"] == "https://en.wikipedia.org/wiki/Barack_Obama"
    assert 0 <= obama["entity_confidence"] <= 1
    assert isinstance(obama["support"], float)
    assert names(obama["emotions"]) == EXPRESSIONS_53


def test_text_file_runs_text_models(upload: Callable[..., str], predictions: Predict) -> None:
    job_id = upload({"models": {"language": {"granularity": "sentence"}}}, ("notes.txt", b"One. Two!"))
    (source,) = predictions(job_id)
    assert source["source"]["filename"] == "notes.txt"
    assert source["source"]["md5sum"] == hashlib.md5(b"One. Two!").hexdigest()
    entry = only_prediction(source)
    assert entry["file"] == "notes.txt"
    sentences = entry["models"]["language"]["grouped_predictions"][0]["predictions"]
    assert [item["text"] for item in sentences] == ["One.", "Two!"]


def test_untranscribed_audio_prosody_and_burst(upload: Callable[..., str], predictions: Predict) -> None:
    config = {"models": {"prosody": {}, "burst": {}, "face": {}}, "transcription": None}
    job_id = upload(config, ("voice.wav", wav_bytes(9.0)))
    (source,) = predictions(job_id)
    assert source["source"]["content_type"] == "audio/x-wav"
    models = only_prediction(source)["models"]
    assert sorted(models) == ["burst", "prosody"]
    prosody = models["prosody"]["grouped_predictions"][0]["predictions"]
    assert prosody[0]["time"]["begin"] == 0
    assert prosody[-1]["time"]["end"] == pytest.approx(9.0)
    assert all(a["time"]["end"] == b["time"]["begin"] for a, b in itertools.pairwise(prosody))
    assert all(1.0 - 1e-9 <= p["time"]["end"] - p["time"]["begin"] <= 3.0 + 1e-9 for p in prosody[:-1])
    assert all("text" not in p for p in prosody)
    assert names(prosody[0]["emotions"]) == EXPRESSIONS_48
    bursts = models["burst"]["grouped_predictions"][0]["predictions"]
    assert len(bursts) == 3
    assert all(0 <= b["time"]["begin"] < b["time"]["end"] <= 9.0 for b in bursts)
    assert names(bursts[0]["emotions"]) == EXPRESSIONS_48
    assert "Laugh" in names(bursts[0]["descriptions"])


def test_prosody_windows_and_speakers(upload: Callable[..., str], predictions: Predict) -> None:
    config = {
        "models": {"prosody": {"window": {"length": 2, "step": 1}, "identify_speakers": True}},
        "transcription": None,
    }
    job_id = upload(config, ("voice.wav", wav_bytes(4.5)))
    groups = only_prediction(predictions(job_id)[0])["models"]["prosody"]["grouped_predictions"]
    assert {group["id"] for group in groups} <= {"spk_0", "spk_1"}
    spans = sorted((p["time"]["begin"], p["time"]["end"]) for g in groups for p in g["predictions"])
    assert spans == [(0, 2), (1, 3), (2, 4), (3, 4.5)]


def test_image_faces(upload: Callable[..., str], predictions: Predict) -> None:
    job_id = upload({"models": {"face": {"prob_threshold": 0.5}}}, ("photo.png", image_bytes(640, 480)))
    face = only_prediction(predictions(job_id)[0])["models"]["face"]
    assert face["metadata"] is None
    (group,) = face["grouped_predictions"]
    assert group["id"] == "unknown"
    for found in group["predictions"]:
        assert (found["frame"], found["time"]) == (0, 0)
        assert 0.5 <= found["prob"] <= 1
        box = found["box"]
        assert 0 <= box["x"] <= box["x"] + box["w"] <= 640
        assert 0 <= box["y"] <= box["y"] + box["h"] <= 480
        assert min(box["w"], box["h"]) >= 60
        assert names(found["emotions"]) == EXPRESSIONS_48
        assert found["facs"] is None
        assert found["descriptions"] is None


def test_face_threshold_identify_facs_and_descriptions(
    upload: Callable[..., str], predictions: Predict
) -> None:
    images = [(f"{index}.jpg", image_bytes(800, 600, image_format="JPEG", seed=index)) for index in range(8)]
    loose = {
        "models": {"face": {"prob_threshold": 0, "identify_faces": True, "facs": {}, "descriptions": {}}}
    }
    strict = {"models": {"face": {"prob_threshold": 0.999}}}
    loose_ids = [group["id"] for result in predictions(upload(loose, *images))
                 for group in only_prediction(result)["models"]["face"]["grouped_predictions"]]  # fmt: skip
    assert "face_1" in loose_ids
    assert set(loose_ids) <= {"face_0", "face_1"}
    strict_faces = [
        found
        for result in predictions(upload(strict, *images))
        for group in only_prediction(result)["models"]["face"]["grouped_predictions"]
        for found in group["predictions"]
    ]
    assert all(found["prob"] >= 0.999 for found in strict_faces)
    assert len(strict_faces) < len(loose_ids)
    first = predictions(upload(loose, images[0]))[0]
    found = only_prediction(first)["models"]["face"]["grouped_predictions"][0]["predictions"][0]
    assert "AU12 Lip Corner Puller" in names(found["facs"])
    assert "Smile" in names(found["descriptions"])


def test_small_faces_are_dropped(upload: Callable[..., str], predictions: Predict) -> None:
    job_id = upload({"models": {"face": {"prob_threshold": 0}}}, ("tiny.png", image_bytes(100, 100)))
    assert only_prediction(predictions(job_id)[0])["models"]["face"]["grouped_predictions"] == []


def test_facemesh_landmarks(upload: Callable[..., str], predictions: Predict) -> None:
    faces = json.dumps([[[0.1, 0.2, 0.3]] * 478] * 2).encode()
    job_id = upload({"models": {"facemesh": {}}}, ("mesh.json", faces))
    facemesh = only_prediction(predictions(job_id)[0])["models"]["facemesh"]
    found = facemesh["grouped_predictions"][0]["predictions"]
    assert len(found) == 2
    assert list(found[0]) == ["emotions"]
    assert names(found[0]["emotions"]) == EXPRESSIONS_48


def test_unprocessable_files_become_errors(
    upload: Callable[..., str], predictions: Predict, client: TestClient
) -> None:
    files = [("blob.bin", b"\x00\x01 binary"), ("broken.png", b"\x89PNG\r\n\x1a\nnope"), ("bad.json", b"{}")]
    job_id = upload({"models": {"face": {}, "facemesh": {}}}, *files, ("voice.wav", wav_bytes(1)))
    results = predictions(job_id)
    errors = [result["results"]["errors"] for result in results]
    assert errors == [
        [{"message": "unsupported file type", "file": "blob.bin"}],
        [{"message": "could not read image", "file": "broken.png"}],
        [{"message": "invalid facemesh landmarks", "file": "bad.json"}],
        [
            {
                "message": "none of the requested models (face, facemesh) supports audio input",
                "file": "voice.wav",
            }
        ],
    ]
    assert all(result["results"]["predictions"] == [] for result in results)
    state = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
    assert (state["num_predictions"], state["num_errors"]) == (0, 4)


def test_archive_members_are_predicted_one_by_one(upload: Callable[..., str], predictions: Predict) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("faces/100.jpg", image_bytes(640, 480, image_format="JPEG"))
        archive.writestr("faces/readme.txt", "Hello Hume.")
        archive.writestr("faces/inner.zip", b"PK\x03\x04")
    job_id = upload({"models": {"face": {}, "language": {}}}, ("faces.zip", buffer.getvalue()))
    (source,) = predictions(job_id)
    assert source["source"]["filename"] == "faces.zip"
    assert [entry["file"] for entry in source["results"]["predictions"]] == [
        "faces/100.jpg",
        "faces/readme.txt",
    ]
    assert source["results"]["errors"] == [
        {"message": "nested archives are not supported", "file": "faces/inner.zip"}
    ]


def test_predictions_are_deterministic(
    submit: Callable[..., str], upload: Callable[..., str], predictions: Predict
) -> None:
    config = {"models": {"face": {"prob_threshold": 0}, "prosody": {}, "burst": {}}}
    files = [("a.wav", wav_bytes(3.3)), ("b.png", image_bytes(500, 400))]
    assert predictions(upload(config, *files)) == predictions(upload(config, *files))
    assert predictions(submit(text=[TEXT])) == predictions(submit(text=[TEXT]))
    assert predictions(submit(text=[TEXT])) != predictions(submit(text=[TEXT + "!"]))


def test_num_predictions_counts_entries(
    submit: Callable[..., str], client: TestClient, finish: Callable[[], None]
) -> None:
    job_id = submit(text=["one", "two", "three"])
    finish()
    state = client.get(f"/v0/batch/jobs/{job_id}").json()["state"]
    assert (state["num_predictions"], state["num_errors"]) == (3, 0)
