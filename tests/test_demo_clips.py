"""The shipped demo clips: real, well-formed speech in en, de and fr."""

from __future__ import annotations

import array
import io
import sys
import wave
from collections import Counter
from importlib.resources import files

import pytest

from voxkeep.demo.clips import Clip, load_clips

LANGUAGES = ("en", "de", "fr")
MAX_TARBALL_BYTES = 8 * 1024 * 1024


@pytest.fixture(scope="module")
def clips() -> list[Clip]:
    return load_clips()


def _clip_id(clip: Clip) -> str:
    return clip.file


def test_clips_are_sorted_and_unique(clips: list[Clip]) -> None:
    names = [clip.file for clip in clips]
    assert names == sorted(names)
    assert len(set(names)) == len(names)


def test_file_names_match_metadata(clips: list[Clip]) -> None:
    for clip in clips:
        assert clip.file.startswith(f"{clip.language}/")
        assert clip.file.endswith(f"_{clip.voice}.wav")


@pytest.mark.parametrize("clip", load_clips(), ids=_clip_id)
def test_clip_is_16k_mono_16bit_speech(clip: Clip) -> None:
    assert clip.wav[:4] == b"RIFF"
    assert clip.wav[8:12] == b"WAVE"
    with wave.open(io.BytesIO(clip.wav), "rb") as wav:
        assert wav.getframerate() == 16_000
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        assert wav.getcomptype() == "NONE"
        nframes = wav.getnframes()
        frames = wav.readframes(nframes)
    assert 1.0 <= nframes / 16_000 <= 6.0
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    assert sum(1 for s in samples if abs(s) > 1000) > 100, "clip looks like silence"
    assert clip.text.strip()


def test_every_language_has_enough_clips_and_voices(clips: list[Clip]) -> None:
    assert {clip.language for clip in clips} == set(LANGUAGES)
    per_language = Counter(clip.language for clip in clips)
    for language in LANGUAGES:
        assert per_language[language] >= 25, language
        voices = {clip.voice for clip in clips if clip.language == language}
        assert len(voices) >= 2, language


@pytest.mark.parametrize("language", ["de", "fr"])
def test_texts_are_spelled_with_accents(clips: list[Clip], language: str) -> None:
    texts = [clip.text for clip in clips if clip.language == language]
    accented = [text for text in texts if any(not ch.isascii() and ch.isalpha() for ch in text)]
    assert len(accented) >= 5, accented


def test_load_clips_is_cached_and_returns_fresh_lists() -> None:
    first, second = load_clips(), load_clips()
    assert first == second
    assert first is not second
    assert all(a is b for a, b in zip(first, second, strict=True))


def test_tarball_is_small() -> None:
    tarball = files("voxkeep.demo") / "data" / "clips.tar.xz"
    assert len(tarball.read_bytes()) < MAX_TARBALL_BYTES
