"""Bad input fails before any request with an error naming the file and what to do (issue 11)."""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_provider_hume.client.v1.media import (
    MAX_FPS,
    MediaInputError,
    check_fps,
    check_oversize,
    check_source,
    iter_video_frames,
    prepare_audio,
    prepare_image,
)
from tests.support import media_samples


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        MediaInputError, match=r"^calls/gone\.mp3: .*gone\.mp3 does not exist; check the path"
    ):
        prepare_audio(tmp_path / "gone.mp3", "calls/gone.mp3")


def test_a_folder(tmp_path: Path) -> None:
    with pytest.raises(MediaInputError, match=r"is not a regular file"):
        prepare_image(tmp_path, "photos")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = media_samples.wav(tmp_path / "locked.wav", 0.1)
    path.chmod(0)
    with pytest.raises(
        MediaInputError, match=r"^locked\.wav: .*cannot be read by this process; check its perm"
    ):
        prepare_audio(path, "locked.wav")


def test_an_opener_that_fails_is_named() -> None:
    def opener() -> object:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(MediaInputError, match=r"^s3://b/k\.mp3: cannot be opened: Permission denied"):
        prepare_audio(opener, "s3://b/k.mp3")  # type: ignore[arg-type]


def test_random_bytes_named_mp3_say_what_ffmpeg_said(tmp_path: Path) -> None:
    path = media_samples.random_bytes(tmp_path / "noise.mp3")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(
        MediaInputError, match=r"^noise\.mp3: cannot be read as audio or video \(FFmpeg: Invalid"
    ):
        prepare_audio(path, "noise.mp3", workdir=str(work))
    assert not os.listdir(work)  # no temporary file left behind


def test_a_truncated_mp3(sample: Callable[[str], Path], tmp_path: Path) -> None:
    path = media_samples.truncated(sample("long.mp3"), tmp_path / "cut.mp3")
    with pytest.raises(
        MediaInputError, match=r"^cut\.mp3: looks truncated: it decodes to [45]\.\d s .* declares 10\.0 s"
    ):
        prepare_audio(path, "cut.mp3")


def test_a_truncated_wav(sample: Callable[[str], Path], tmp_path: Path) -> None:
    path = media_samples.truncated(sample("call-44k-stereo.wav"), tmp_path / "cut.wav")
    with pytest.raises(
        MediaInputError, match=r"^cut\.wav: looks truncated: its WAV header declares 529200 bytes"
    ):
        prepare_audio(path, "cut.wav")


def test_a_truncated_ready_wav(sample: Callable[[str], Path], tmp_path: Path) -> None:
    path = media_samples.truncated(sample("call-16k.wav"), tmp_path / "cut.wav")
    with pytest.raises(
        MediaInputError, match=r"looks truncated: its WAV header declares 96000 bytes .* holds 47978"
    ):
        prepare_audio(path, "cut.wav")


def test_a_truncated_flac(sample: Callable[[str], Path], tmp_path: Path) -> None:
    path = media_samples.truncated(sample("call.flac"), tmp_path / "cut.flac")
    with pytest.raises(MediaInputError, match=r"^cut\.flac: (could not be decoded after|looks truncated)"):
        prepare_audio(path, "cut.flac")


@pytest.mark.parametrize(
    ("file_name", "text"),
    [
        ("list.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile://{target}\n#EXT-X-ENDLIST\n"),
        ("list.txt", "ffconcat version 1.0\nfile {target}\n"),
    ],
)
def test_a_playlist_cannot_make_ffmpeg_open_other_files(
    sample: Callable[[str], Path], tmp_path: Path, file_name: str, text: str
) -> None:
    path = tmp_path / file_name
    path.write_text(text.format(target=sample("call.mp3")))
    with pytest.raises(MediaInputError, match=rf"^{file_name}: cannot be read as audio or video \(FFmpeg: "):
        prepare_audio(path, file_name)
    with pytest.raises(MediaInputError, match=rf"^{file_name}: cannot be read as video"):
        next(iter_video_frames(path, file_name, fps=1))


def test_a_video_without_audio(sample: Callable[[str], Path]) -> None:
    with pytest.raises(MediaInputError, match=r"^clip\.mp4: has no audio stream \(streams: video\)"):
        prepare_audio(sample("clip.mp4"), "clip.mp4")


def test_an_empty_wav(tmp_path: Path) -> None:
    path = media_samples.wav(tmp_path / "empty.wav", 0.0)
    with pytest.raises(MediaInputError, match=r"^empty\.wav: holds no audio"):
        prepare_audio(path, "empty.wav")


def test_an_empty_wav_that_needs_converting(tmp_path: Path) -> None:
    path = media_samples.wav(tmp_path / "empty.wav", 0.0, rate=8000)
    with pytest.raises(MediaInputError, match=r"^empty\.wav: holds no audio"):
        prepare_audio(path, "empty.wav")


def test_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "zero.m4a").write_bytes(b"")
    with pytest.raises(MediaInputError, match=r"^zero\.m4a: .*zero\.m4a is empty \(0 bytes\)"):
        prepare_audio(tmp_path / "zero.m4a", "zero.m4a")
    with pytest.raises(MediaInputError, match=r"^zero\.m4a: cannot be read as audio or video \(FFmpeg: "):
        prepare_audio(io.BytesIO, "zero.m4a")


def test_a_wav_header_without_data_goes_to_ffmpeg(tmp_path: Path) -> None:
    (tmp_path / "stub.wav").write_bytes(b"RIFF" + struct.pack("<I", 4) + b"WAVE")
    with pytest.raises(MediaInputError, match=r"^stub\.wav: cannot be read as audio or video"):
        prepare_audio(tmp_path / "stub.wav", "stub.wav")


def test_random_bytes_named_mp4_are_no_video(tmp_path: Path) -> None:
    path = media_samples.random_bytes(tmp_path / "noise.mp4")
    with pytest.raises(MediaInputError, match=r"^noise\.mp4: cannot be read as video \(FFmpeg: "):
        next(iter_video_frames(path, "noise.mp4", fps=1))


def test_audio_is_no_video(sample: Callable[[str], Path]) -> None:
    with pytest.raises(MediaInputError, match=r"^call\.mp3: has no video stream \(streams: audio\)"):
        next(iter_video_frames(sample("call.mp3"), "call.mp3", fps=1))


@pytest.mark.parametrize("fps", [0, -1, MAX_FPS + 0.5, float("nan"), float("inf"), True, "3", None])
def test_check_fps_refuses(fps: object) -> None:
    with pytest.raises(ValueError, match=r"^fps must be"):
        check_fps(fps)


def test_check_fps_is_checked_by_the_call_itself(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^fps must be > 0 and <= 30 frames per second \(got 0\)"):
        iter_video_frames(tmp_path / "missing.mp4", "missing.mp4", fps=0)
    with pytest.raises(MediaInputError, match=r"does not exist"):
        iter_video_frames(tmp_path / "missing.mp4", "missing.mp4", fps=1)


@pytest.mark.parametrize("fps", [0.1, 1, 3, MAX_FPS])
def test_check_fps_accepts(fps: float) -> None:
    assert check_fps(fps) == fps


def test_check_oversize() -> None:
    assert check_oversize("reject") == "reject"
    with pytest.raises(ValueError, match=r"^oversize must be 'downscale' or 'reject' \(got 'shrink'\)"):
        check_oversize("shrink")


def test_check_source_takes_an_opener_without_calling_it() -> None:
    def opener() -> object:
        raise AssertionError("not called")

    check_source(opener, "s3://b/k")
    with pytest.raises(MediaInputError, match=r"must be a local path or a callable"):
        check_source(42, "x")
