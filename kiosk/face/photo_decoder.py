"""The vendor's ID-card photo decoder (WLT → picture), through ctypes when its path is configured.

The photo on a second-generation ID card is stored in the WLT format, which only the licensed
decoder library of the reader's vendor turns into a picture (102 × 126 pixels, 24-bit BMP). Its
usual Linux form exports ``int unpack(char *wlt, char *bmp, int save)``: 1024 bytes in, the BMP
(38 862 bytes with its header) out, 1 on success. The function name is configurable
(``[face] decoder_function``) since vendors differ. No such library is on this machine: the
diagnostics say so, and the local verifier answers "cannot decide" rather than guess.
"""

from __future__ import annotations

import ctypes
import io
import os
from typing import Any

WLT_BYTES = 1024
BMP_BYTES = 38862  # 54-byte header + 126 rows of 102 × 3 bytes padded to 308


class DecoderMissing(OSError):
    """No decoder configured, or the library cannot be loaded."""


class PhotoDecoder:
    def __init__(self, path: str, function: str = "unpack") -> None:
        if not path:
            raise DecoderMissing("no photo decoder configured ([face] decoder_path)")
        if not os.path.isfile(path):
            raise DecoderMissing(f"photo decoder not found: {path}")
        try:
            library = ctypes.CDLL(path)
            self._unpack = getattr(library, function)
        except (OSError, AttributeError) as exc:
            raise DecoderMissing(f"photo decoder unusable: {exc}") from None
        self._unpack.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        self._unpack.restype = ctypes.c_int

    def decode(self, wlt: bytes) -> Any:
        """The card photo as an RGB array, in memory only (``save`` = 0: the library writes no file)."""
        if len(wlt) != WLT_BYTES:
            raise ValueError(f"a card photo is {WLT_BYTES} bytes, not {len(wlt)}")
        out = ctypes.create_string_buffer(BMP_BYTES)
        if self._unpack(wlt, out, 0) != 1:
            raise ValueError("the photo decoder refused the card photo")
        import numpy as np
        from PIL import Image

        with Image.open(io.BytesIO(out.raw)) as picture:
            rgb = np.asarray(picture.convert("RGB")).copy()
        ctypes.memset(out, 0, BMP_BYTES)
        return rgb


def diagnose(path: str, function: str = "unpack") -> tuple[str, str]:
    """For kiosk diag: is the local verifier's photo decoder there?"""
    try:
        PhotoDecoder(path, function)
    except DecoderMissing as exc:
        return "down", str(exc)
    return "ok", f"photo decoder {os.path.basename(path)} loaded"
