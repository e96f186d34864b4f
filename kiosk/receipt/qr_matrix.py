"""The QR code of a receipt: qrcode's own matrix, with its mask search done by numpy.

WHY: qrcode (pure Python) picks the mask by building the whole symbol eight times and scoring each
with its four penalty rules, 10-15 ms a receipt on the terminal, and then draws the image one
module rectangle at a time. Here qrcode still encodes the data, places it and chooses the version
(its own code, unchanged); the eight candidates are the one unmasked placement XOR each mask
pattern, scored with the same rules as ``qrcode.util.lost_point`` (runs of 5 or more, 2x2 blocks,
finder-like 1:1:3:1:1 patterns, the dark share), vectorised, and the image is the matrix scaled
with numpy. The mask chosen, and so every module, is the one qrcode chooses: a test compares the
matrices and the images over many payloads and versions. Symbols are NOT remembered by payload:
a receipt's payload carries its check code, which may not outlive the citizen's session
(kiosk.receipt.render says why), and the symbol costs about a millisecond.
"""

from __future__ import annotations

import numpy as np
import qrcode
import qrcode.constants
import qrcode.main
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BORDER = 4  # the quiet zone, in modules

_FINDER_LIKE = np.array(
    [[1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1]], dtype=bool
)  # 1:1:3:1:1 with 4 light modules after it, or before it


def _mask_patterns(n: int) -> np.ndarray:
    """(8, n, n): where each of the eight mask patterns flips a module (ISO/IEC 18004 table 10)."""
    i, j = np.indices((n, n))
    return np.stack(
        [
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            ((i * j) % 3 + (i + j) % 2) % 2 == 0,
        ]
    )


def _penalties(candidates: np.ndarray) -> list[int]:
    """qrcode.util.lost_point of each (n, n) matrix in ``candidates`` (shape (8, n, n), bool)."""
    count, n, _ = candidates.shape
    scores = np.zeros(count, dtype=np.int64)
    for lines in (candidates, candidates.transpose(0, 2, 1)):
        # level 1: each run of k >= 5 same-coloured modules in a row or column costs k - 2. A
        # sentinel after every line keeps runs from joining across lines (and candidates).
        sentinel = np.full((count, n, 1), 2, np.int8)
        flat = np.concatenate([lines.astype(np.int8), sentinel], axis=2).ravel()
        ends = np.append(np.flatnonzero(np.diff(flat) != 0), flat.size - 1)  # each run's last module
        runs = np.diff(ends, prepend=-1)
        long_runs = runs >= 5
        owner = ends[long_runs] // (n * (n + 1))  # which candidate each run lies in
        scores += np.bincount(owner, weights=runs[long_runs] - 2, minlength=count).astype(np.int64)
        # level 3: each finder-like pattern in a row or column costs 40
        windows = sliding_window_view(lines, 11, axis=2)  # (count, n, n - 10, 11)
        for pattern in _FINDER_LIKE:
            scores += 40 * (windows == pattern).all(axis=3).sum(axis=(1, 2))
    # level 2: each 2x2 block of one colour costs 3
    top_left = candidates[:, :-1, :-1]
    same = (
        (top_left == candidates[:, 1:, :-1])
        & (top_left == candidates[:, :-1, 1:])
        & (top_left == candidates[:, 1:, 1:])
    )
    scores += 3 * same.sum(axis=(1, 2))
    # level 4: 10 for every whole 5 % the dark share is away from 50 % (qrcode's float arithmetic)
    out = []
    for index in range(count):
        percent = float(int(candidates[index].sum())) / (n**2)
        out.append(int(scores[index]) + int(abs(percent * 100 - 50) / 5) * 10)
    return out


def _function_modules(code: qrcode.QRCode, test: bool, mask: int) -> list[list[bool | None]]:
    """The symbol before data placement (None where data goes), as qrcode's makeImpl lays it."""
    code.modules = qrcode.main.copy_2d_array(qrcode.main.precomputed_qr_blanks[code.version])
    code.setup_type_info(test, mask)
    if code.version >= 7:
        code.setup_type_number(test)
    modules: list[list[bool | None]] = code.modules
    return modules


def qr_matrix(data: bytes) -> np.ndarray:
    """The symbol's modules (True = dark), without the quiet zone: what qrcode makes for ``data``
    at error correction M with the smallest version that fits, with the mask its
    ``best_mask_pattern`` picks (found from one placement instead of eight)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=BORDER, box_size=1)
    code.add_data(data)
    code.best_fit(start=None)
    code.makeImpl(True, 0)  # format and version areas light, as in qrcode's trials; mask 0 applied
    placed = np.array(code.modules, dtype=bool)
    n = placed.shape[0]
    # the modules that carry data, and so are masked: not the finder, timing, alignment, format
    # or version modules
    data_modules = np.array([[m is None for m in row] for row in _function_modules(code, True, 0)])
    masks = _mask_patterns(n) & data_modules
    candidates = (placed ^ masks[0]) ^ masks
    scores = _penalties(candidates)
    best = scores.index(min(scores))  # the first of equals, as qrcode keeps the first
    final = _function_modules(code, False, best)  # with the real format (and version) information
    return np.array([[bool(m) for m in row] for row in final]) | (data_modules & candidates[best])


def qr_image(data: str, target_dots: int) -> Image.Image:
    """A QR code with whole-dot modules (no resampling blur) and a 4-module quiet zone, in mode
    ``L`` (0 = dark)."""
    modules = np.pad(qr_matrix(data.encode("utf-8")), BORDER)
    box = max(2, target_dots // modules.shape[0])
    dots = np.where(modules, 0, 255).astype(np.uint8).repeat(box, axis=0).repeat(box, axis=1)
    return Image.fromarray(dots, mode="L")
