"""Faces (hume-api-v1.md §6): detection from the JPEG, filters, the largest-two rule, tracking, face_state."""

from __future__ import annotations

import pytest

from airflow_provider_hume.emulator.v1.face_state import FaceStateSigner
from airflow_provider_hume.emulator.v1.face_tracking import MAX_REMEMBERED, FaceTracker
from airflow_provider_hume.emulator.v1.faces import FaceMeasurer, ImageUndecodable
from airflow_provider_hume.emulator.v1.jpeg import JpegInvalid
from tests.support.v1_media import jpeg, noisy_jpeg

BIG = (10, 10, 210, 230, 0.95)  # 200 x 220
MEDIUM = (300, 40, 420, 170, 0.97)  # 120 x 130
SMALL = (450, 300, 530, 390, 0.99)  # 80 x 90
TINY = (600, 10, 640, 50, 0.99)  # 40 x 40
FAINT = (20, 300, 220, 470, 0.5)


def faces_of(data: bytes, **options: object) -> list[dict[str, object]]:
    result = FaceMeasurer(**options).measure(data, 0)  # type: ignore[arg-type]
    assert result["frame_id"] == 0
    faces: list[dict[str, object]] = result["faces"]
    return faces


def test_threshold_and_min_size_filter_faces_out() -> None:
    faces = faces_of(jpeg(faces=[BIG, TINY, FAINT]))
    assert [face["bbox"] for face in faces] == [[10.0, 10.0, 210.0, 230.0]]
    assert len(faces_of(jpeg(faces=[BIG, TINY, FAINT]), threshold=0.4, min_size=30)) == 3


def test_the_two_largest_are_measured_first_then_the_rest_by_confidence() -> None:
    faces = faces_of(jpeg(faces=[SMALL, BIG, (500, 100, 570, 170, 0.91), MEDIUM]))
    assert [face["confidence"] for face in faces] == [0.95, 0.97, 0.99, 0.91]
    assert [face["face_id"] for face in faces] == [0, 1, None, None]
    assert faces[2]["expressions"] is None
    assert faces[2]["descriptions"] is None
    assert isinstance(faces[0]["expressions"], list)
    assert isinstance(faces[0]["descriptions"], list)


def test_the_measured_count_is_a_setting() -> None:
    faces = faces_of(jpeg(faces=[SMALL, BIG, MEDIUM]), measured=3)
    assert [face["face_id"] for face in faces] == [0, 1, 2]


def test_at_most_32_faces_are_listed() -> None:
    many = [(x * 19, y * 19, x * 19 + 18, y * 19 + 18, 0.95) for x in range(6) for y in range(7)]
    faces = faces_of(jpeg(faces=many), min_size=10)
    assert len(many) == 42
    assert len(faces) == 32


def test_a_face_keeps_its_id_from_image_to_image_and_a_new_face_gets_the_next() -> None:
    measurer = FaceMeasurer()
    first = measurer.measure(jpeg(faces=[BIG]), 0)["faces"]
    moved = (14, 12, 214, 232, 0.95)
    second = measurer.measure(jpeg(faces=[moved, MEDIUM]), 1)["faces"]
    assert [face["face_id"] for face in first] == [0]
    assert [face["face_id"] for face in second] == [0, 1]


def test_the_tracker_remembers_32_faces() -> None:
    tracker = FaceTracker()
    boxes = [(float(i * 100), 0.0, float(i * 100 + 50), 50.0) for i in range(MAX_REMEMBERED + 1)]
    assert [tracker.assign([box])[0] for box in boxes] == list(range(MAX_REMEMBERED + 1))
    assert tracker.assign([boxes[0]]) == [MAX_REMEMBERED + 1]  # forgotten: a new id
    assert tracker.assign([boxes[-1]]) == [MAX_REMEMBERED]


def test_unmarked_images_get_deterministic_faces_from_their_look() -> None:
    image = jpeg(1280, 720, color=(200, 150, 120))
    found = [faces_of(image, threshold=0.0, min_size=1, seed=seed) for seed in range(12)]
    assert faces_of(image, threshold=0.0, min_size=1, seed=0) == found[0]
    assert any(found)
    assert any(not faces for faces in found)
    # re-encoding the same picture at another quality keeps the faces where they were
    again = jpeg(1280, 720, color=(200, 150, 120), quality=70)
    boxes = [[face["bbox"] for face in faces_of(data, threshold=0.0, min_size=1)] for data in (image, again)]
    assert boxes[0] == boxes[1]


def test_an_undecodable_jpeg_is_refused() -> None:
    data = noisy_jpeg(320, 240)
    with pytest.raises(ImageUndecodable):
        FaceMeasurer().measure(data[: len(data) // 2], 0)
    with pytest.raises(JpegInvalid):
        FaceMeasurer().measure(data[:40], 0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_face_state_round_trips_within_its_ttl_for_its_organisation() -> None:
    clock = Clock()
    signer = FaceStateSigner(b"secret", 86_400, clock)
    tracker = FaceTracker()
    tracker.assign([(0.0, 0.0, 100.0, 100.0), (200.0, 0.0, 300.0, 100.0)])
    token = signer.issue(tracker, "org-a")
    clock.now += 86_399
    restored = signer.restore(token, "org-a")
    assert restored is not None
    assert restored.to_json() == tracker.to_json()
    assert restored.assign([(201.0, 0.0, 301.0, 100.0), (500.0, 0.0, 600.0, 100.0)]) == [1, 2]


def test_expired_altered_foreign_or_garbage_states_are_ignored() -> None:
    clock = Clock()
    signer = FaceStateSigner(b"secret", 60, clock)
    tracker = FaceTracker(5)
    token = signer.issue(tracker, "org-a")
    body, _, signature = token.partition(".")
    assert signer.restore(token, "org-b") is None
    assert signer.restore(body + "A." + signature, "org-a") is None
    assert signer.restore(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "org-a") is None
    assert FaceStateSigner(b"other", 60, clock).restore(token, "org-a") is None
    for garbage in ("", ".", "not-a-token", "é.é"):
        assert signer.restore(garbage, "org-a") is None
    clock.now += 60
    assert signer.restore(token, "org-a") is None
