"""Recognising the job a lost submit created from what its details echo of the request."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_hume.client import (
    HumeError,
    JobDetails,
    JobRequest,
    SubmissionFingerprint,
    UploadSource,
)


def details(**request: Any) -> JobDetails:
    return JobDetails.from_api({"job_id": "j", "state": {"status": "QUEUED"}, "request": request})


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    path = tmp_path / "clip.wav"
    path.write_bytes(b"RIFF" + bytes(range(256)) * 50)
    return path


def test_a_job_echoing_the_same_inputs_matches(clip: Path) -> None:
    request = JobRequest.build(urls=["https://b.s3.amazonaws.com/a.mp4?X-Amz-Signature=1"], text=["hi"])
    fingerprint = SubmissionFingerprint.of(request, [clip])
    md5 = hashlib.md5(clip.read_bytes()).hexdigest()
    echo = {
        "urls": ["https://b.s3.amazonaws.com/a.mp4?X-Amz-Signature=2"],
        "text": ["hi"],
        "files": [{"filename": "clip.wav", "md5sum": md5, "content_type": "audio/wav"}],
        "models": {"face": {}, "language": {}},
    }
    assert fingerprint.matches(details(**echo)), "a new presigned signature is still the same URL"
    assert not fingerprint.matches(details(**{**echo, "text": ["hi", "there"]}))
    assert not fingerprint.matches(
        details(**{**echo, "files": [{"filename": "clip.wav", "md5sum": "0" * 32}]})
    )
    assert not fingerprint.matches(details(**{**echo, "urls": ["https://b.s3.amazonaws.com/b.mp4"]}))


def test_models_count_only_when_the_request_named_them() -> None:
    named = SubmissionFingerprint.of(JobRequest.build(text=["x"], models={"language": {}}))
    defaults = SubmissionFingerprint.of(JobRequest.build(text=["x"]))
    echo_language = details(text=["x"], models={"language": {"granularity": "word"}, "face": None})
    echo_all = details(text=["x"], models={"language": {}, "face": {}, "prosody": {}})
    assert named.matches(echo_language)
    assert not named.matches(echo_all)
    assert defaults.matches(echo_all)


def test_a_stream_is_recognised_by_its_md5_never_by_its_name_alone() -> None:
    md5 = "0123456789abcdef0123456789abcdef"
    known = UploadSource(name="clip.wav", size=3, open=lambda: None, md5=md5)  # type: ignore[arg-type,return-value]
    unknown = UploadSource(name="clip.wav", size=3, open=lambda: None)  # type: ignore[arg-type,return-value]
    same_name_other_audio = details(files=[{"filename": "clip.wav", "md5sum": "f" * 32}])
    mine = details(files=[{"filename": "clip.wav", "md5sum": md5}])
    assert SubmissionFingerprint.of(JobRequest.build(), [known]).matches(mine)
    assert not SubmissionFingerprint.of(JobRequest.build(), [known]).matches(same_name_other_audio)
    by_name = SubmissionFingerprint.of(JobRequest.build(), [unknown])
    assert not by_name.recognisable
    assert not by_name.matches(mine), "a name alone could be day=1/clip.wav or day=2/clip.wav"


def test_the_record_survives_the_state_store_round_trip(clip: Path) -> None:
    fingerprint = SubmissionFingerprint.of(JobRequest.build(text=["a"], models={"prosody": {}}), [clip])
    assert SubmissionFingerprint.from_json(fingerprint.to_json()) == fingerprint
    with pytest.raises(HumeError, match="Unreadable record"):
        SubmissionFingerprint.from_json({"urls": []})
