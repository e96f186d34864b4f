"""Decoding an answer's body without ever holding more of it than the terminal accepts.

httpx decodes ``Content-Encoding`` a whole network chunk at a time and only then hands the result
over, so a size cap checked on its output comes too late: 1,827 bytes of ``gzip, gzip`` became 2.1 GB
in the kiosk before the cap was looked at (issue 19). Here the client reads the raw bytes
(``Response.aiter_raw``) and decodes them itself with ``zlib``'s ``max_length``, asking for at most one
byte more than the room left under the cap, so the decoded body never grows past ``limit + 1`` bytes
and each step's work is bounded by the cap, not by the server.

Accepted codings: none/``identity``, ``gzip`` (``x-gzip``) and ``deflate`` (zlib-wrapped, or raw as
some servers send it). Anything else — ``br``, ``zstd``, an unknown name, or two codings stacked
(``gzip, gzip``: no honest server compresses twice, and each layer multiplies a bomb's ratio) — is
refused: the terminal asks for ``gzip`` only and cannot vouch for what it did not ask for.
"""

from __future__ import annotations

import zlib

IDENTITY = frozenset({"", "identity"})
GZIP = frozenset({"gzip", "x-gzip"})
DEFLATE = "deflate"


class BodyRefused(Exception):
    """The body is larger than allowed, or encoded in a way the terminal does not accept."""

    def __init__(self, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.too_large = too_large


class BoundedBody:
    """Feed raw (still encoded) chunks in; get the decoded body out, never longer than ``limit``.

    The raw bytes are capped at ``limit`` as well: a compressed answer larger than the cap could
    only decode to more than the cap (JSON and PNG do not grow when compressed), and a stream that
    decodes to nothing (empty deflate blocks without end) must not be read for ever.
    """

    def __init__(self, content_encoding: str, limit: int) -> None:
        self.limit = limit
        self.coding = _single_coding(content_encoding)
        self._raw = 0
        self._out = bytearray()
        self._inflate: zlib._Decompress | None = None
        self._raw_deflate_tried = False
        if self.coding in GZIP:
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.coding == DEFLATE:
            self._inflate = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        if not data:
            return
        self._raw += len(data)
        if self._raw > self.limit:
            raise BodyRefused("answer too large", too_large=True)
        if self._inflate is None:
            self._append(data)
            return
        if self._inflate.eof:
            raise BodyRefused("data after the end of the compressed answer")
        self._inflate_bounded(data)

    def finish(self) -> bytes:
        """The decoded body; refuses a compressed stream that was cut short."""
        if self._inflate is not None and self._raw and not self._inflate.eof:
            raise BodyRefused("compressed answer is cut short")
        return bytes(self._out)

    def _inflate_bounded(self, data: bytes) -> None:
        assert self._inflate is not None
        room = self.limit - len(self._out)
        try:
            # at most one byte more than fits: enough to know the cap is exceeded, never more
            chunk = self._inflate.decompress(data, room + 1)
        except zlib.error:
            if self.coding != DEFLATE or self._raw_deflate_tried or self._out:
                raise BodyRefused("compressed answer is damaged") from None
            # "deflate" sent as a raw stream without the zlib wrapper (as httpx also accepts)
            self._raw_deflate_tried = True
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            self._inflate_bounded(data)
            return
        self._append(chunk)
        while self._inflate.unconsumed_tail:  # not expected below the cap; kept bounded all the same
            tail = self._inflate.unconsumed_tail
            self._append(self._inflate.decompress(tail, self.limit - len(self._out) + 1))
            if self._inflate.unconsumed_tail == tail:
                raise BodyRefused("compressed answer is damaged")
        if self._inflate.unused_data:
            raise BodyRefused("data after the end of the compressed answer")

    def _append(self, data: bytes) -> None:
        if len(self._out) + len(data) > self.limit:
            raise BodyRefused("answer too large", too_large=True)
        self._out += data


def _single_coding(header: str) -> str:
    """The one content coding of ``header`` (identity layers ignored); refuses stacks and unknowns."""
    codings = [c.strip().lower() for c in header.split(",")]
    real = [c for c in codings if c not in IDENTITY]
    if len(real) > 1:
        raise BodyRefused(f"stacked content codings refused ({len(real)} layers)")
    if not real:
        return ""
    coding = real[0]
    if coding not in GZIP and coding != DEFLATE:
        raise BodyRefused("content coding not accepted")
    return coding
