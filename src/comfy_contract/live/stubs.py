"""Tiny, valid media files the stand-in ComfyUI writes as the results of executed prompts.

Generated with the standard library only (``zlib``, ``struct``, ``wave``): an 8×8 PNG, a 0.1 s silent
WAV and the header boxes of an MP4 (``ftyp`` + an empty ``moov``; enough for sniffers and ``file(1)``,
not a playable video). The stand-in never decodes them; an app under test only fetches them.
"""

from __future__ import annotations

import io
import struct
import wave
import zlib

__all__ = ["EXTENSIONS", "MEDIA_TYPES", "mp4_stub", "png_stub", "stub_for", "wav_stub"]

#: result kind -> file extension
EXTENSIONS = {"image": "png", "audio": "wav", "video": "mp4", "latent": "latent"}
MEDIA_TYPES = {
    ".png": "image/png",
    ".wav": "audio/wav",
    ".mp4": "video/mp4",
    ".latent": "application/octet-stream",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".json": "application/json",
}


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_stub(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (64, 96, 160)) -> bytes:
    """A solid-colour RGB PNG."""
    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def wav_stub(seconds: float = 0.1, rate: int = 8000) -> bytes:
    """Silent 16-bit mono PCM."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x00" * int(seconds * rate))
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_stub() -> bytes:
    """An ISO-BMFF header: ``ftyp`` (isom) and an empty ``moov`` with a movie header."""
    mvhd = _box(b"mvhd", b"\x00" * 4 + struct.pack(">IIII", 0, 0, 1000, 0) + b"\x00" * 80)
    return _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41") + _box(b"moov", mvhd)


def stub_for(kind: str) -> bytes:
    if kind == "audio":
        return wav_stub()
    if kind == "video":
        return mp4_stub()
    if kind == "latent":
        return b"stand-in latent\n"
    return png_stub()
