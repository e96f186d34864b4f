"""SM2 signatures with SM3 and the default user id 1234567812345678 (GB/T 32918.2, GM/T 0009).

Signatures are 128 hex digits ``r || s`` and keys are hex (``04 || x || y`` or the bare ``x || y``
public key; the private key ``d``), the forms of backend-api.md and of gmssl.

WHY native: gmssl's SM2 is pure Python, 21 ms a record on the 2-core terminal, so a list of ten
certificates took a third of a second to verify. OpenSSL 3 does the same check in about 0.2 ms.
No maintained Python binding exposes SM2 (pyca/cryptography declined it; tongsuopy has had no
release since 2023; gmssl-python needs a libgmssl that Debian does not ship), so this is a small
ctypes layer over the EVP API of the libcrypto that Python's own ``ssl`` and ``hashlib`` already
load (Debian's libssl3, kept up to date by the distribution's security updates). It adds no
dependency and no compiled code of ours.

A self-test at first use checks a signature made by gmssl (an independent implementation); if the
library is missing, older than 3.0, lacks SM2 or fails the test, the pure-Python gmssl path is used
and :func:`backend` says so (technician diagnostics show it: slow, but the same verdicts).

Both paths give the same verdicts: ``r`` and ``s`` must lie in [1, n-1] and the public key on the
curve (OpenSSL checks both; gmssl checks neither, so they are checked here before it runs).
Anything malformed gives False, never an exception.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import re
import secrets
import threading
from collections import OrderedDict
from typing import Any

log = logging.getLogger("kiosk.crypto")

# the default user id (GM/T 0009-2012), what gmssl, OpenSSL's -sigopt distid and sm-crypto use
DEFAULT_ID = b"1234567812345678"

# curve sm2p256v1 (GB/T 32918.5)
P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123

NATIVE = "openssl"
PURE_PYTHON = "python"

_HEX = re.compile(r"^[0-9a-fA-F]+$")

# DER prefixes: SubjectPublicKeyInfo and SEC1 ECPrivateKey with the named curve sm2p256v1
_SM2_OID = bytes.fromhex("06082a811ccf5501822d")
_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d0201") + _SM2_OID + bytes.fromhex("034200")

# a signature made by gmssl with the demo issuer key over _KAT_MESSAGE: the native path must accept
# it and refuse it for one changed byte before it is trusted
_KAT_PUBLIC = (
    "17273321a6cff443d13ce446b9ebce6209daaa77d0ad46330340fc6d4a2e7a38"
    "2756673671db4e51199062dadc75e4b856a4c40eb910147856ba541ee2722e3e"
)
_KAT_MESSAGE = b"kiosk sm2 self-test"
_KAT_SIGNATURE = (
    "e4bab7552ec25c9b83209b57f79bbdbab53554435abe14c08cca85f0688812e0"
    "5612a033ade64426301cf90a2d8cc7f4d6bd773e11e11871fa952cb0a7e6aa4c"
)


# --- forms ----------------------------------------------------------------------------------------


def bare_public_key(public_hex: str) -> str | None:
    """128 hex digits (x||y) of an uncompressed key on the curve, or None when it is not one.

    The ``04`` prefix is removed here: gmssl strips it with ``str.lstrip``, which also eats a
    leading 0 or 4 of x.
    """
    if not isinstance(public_hex, str):
        return None
    key = public_hex.strip()
    if len(key) == 130 and key[:2] == "04":
        key = key[2:]
    if len(key) != 128 or not _HEX.match(key):
        return None
    x, y = int(key[:64], 16), int(key[64:], 16)
    if x >= P or y >= P or (y * y - (x * x * x + A * x + B)) % P:
        return None
    return key.lower()


def _signature_ints(signature_hex: str) -> tuple[int, int] | None:
    if not isinstance(signature_hex, str) or len(signature_hex) != 128 or not _HEX.match(signature_hex):
        return None
    r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
    if not (0 < r < N and 0 < s < N):
        return None
    return r, s


def _der_integer(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8, "big")  # room for a leading 0 bit
    return b"\x02" + bytes([len(body)]) + body


def _der_signature(r: int, s: int) -> bytes:
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + bytes([len(body)]) + body


def _parse_der_signature(der: bytes) -> tuple[int, int]:
    """(r, s) of the DER ECDSA-Sig-Value OpenSSL writes (short lengths: at most 72 bytes)."""
    if len(der) < 8 or der[0] != 0x30 or der[1] != len(der) - 2:
        raise ValueError("not a DER SM2 signature")
    values = []
    at = 2
    for _ in range(2):
        if der[at] != 0x02:
            raise ValueError("not a DER SM2 signature")
        length = der[at + 1]
        values.append(int.from_bytes(der[at + 2 : at + 2 + length], "big"))
        at += 2 + length
    if at != len(der):
        raise ValueError("not a DER SM2 signature")
    return values[0], values[1]


# --- OpenSSL 3 through ctypes --------------------------------------------------------------------


def _libcrypto_path() -> str | None:
    """The libcrypto Python's own hashlib loaded (so the process holds one copy), if any."""
    try:
        import _hashlib  # noqa: F401  (maps libcrypto into the process)

        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").split(" ")[-1]
                if "/libcrypto.so" in path:
                    return path
    except (ImportError, OSError):
        pass
    return None


def _candidates() -> list[str]:
    """Where to look for OpenSSL 3, best first: hashlib's own (an older one is passed over), then
    the system's."""
    import ctypes.util  # only now: it imports subprocess and shutil (5 ms at every start)

    found = [_libcrypto_path(), ctypes.util.find_library("crypto"), "libcrypto.so.3"]
    return list(dict.fromkeys(path for path in found if path))


class _OpenSSL:
    """The few EVP calls an SM2 signature needs."""

    def __init__(self, path: str) -> None:
        lib = ctypes.CDLL(path)
        vp, c_int, c_long, c_size = ctypes.c_void_p, ctypes.c_int, ctypes.c_long, ctypes.c_size_t
        buf = ctypes.c_char_p

        def fn(name: str, res: Any, *args: Any) -> Any:
            f = getattr(lib, name)
            f.restype, f.argtypes = res, list(args)
            return f

        self.version = fn("OpenSSL_version_num", ctypes.c_ulong)()
        if self.version < 0x30000000:
            raise OSError(f"OpenSSL {self.version:#x} is older than 3.0")
        pp = ctypes.POINTER(ctypes.c_char_p)
        self.d2i_PUBKEY = fn("d2i_PUBKEY", vp, vp, pp, c_long)
        self.d2i_AutoPrivateKey = fn("d2i_AutoPrivateKey", vp, vp, pp, c_long)
        self.EVP_PKEY_free = fn("EVP_PKEY_free", None, vp)
        self.EVP_MD_CTX_new = fn("EVP_MD_CTX_new", vp)
        self.EVP_MD_CTX_free = fn("EVP_MD_CTX_free", None, vp)
        self.EVP_PKEY_CTX_new = fn("EVP_PKEY_CTX_new", vp, vp, vp)
        self.EVP_PKEY_CTX_free = fn("EVP_PKEY_CTX_free", None, vp)
        self.EVP_PKEY_CTX_set1_id = fn("EVP_PKEY_CTX_set1_id", c_int, vp, buf, c_int)
        self.EVP_MD_CTX_set_pkey_ctx = fn("EVP_MD_CTX_set_pkey_ctx", None, vp, vp)
        self.EVP_DigestVerifyInit = fn("EVP_DigestVerifyInit", c_int, vp, vp, vp, vp, vp)
        self.EVP_DigestVerify = fn("EVP_DigestVerify", c_int, vp, buf, c_size, buf, c_size)
        self.EVP_DigestSignInit = fn("EVP_DigestSignInit", c_int, vp, vp, vp, vp, vp)
        self.EVP_DigestSign = fn("EVP_DigestSign", c_int, vp, buf, ctypes.POINTER(c_size), buf, c_size)
        self.ERR_clear_error = fn("ERR_clear_error", None)
        self.sm3 = fn("EVP_sm3", vp)()
        if not self.sm3:
            raise OSError("this OpenSSL has no SM3")

    def load(self, der: bytes, private: bool) -> int | None:
        """An EVP_PKEY from DER (the caller frees it), or None."""
        data = ctypes.c_char_p(der)
        decode = self.d2i_AutoPrivateKey if private else self.d2i_PUBKEY
        pkey = decode(None, ctypes.byref(data), len(der))
        if not pkey:
            self.ERR_clear_error()
            return None
        return int(pkey)

    def _digest_call(self, pkey: int, sign: bool, call: Any) -> Any:
        mctx = self.EVP_MD_CTX_new()
        pctx = self.EVP_PKEY_CTX_new(pkey, None)
        try:
            if not mctx or not pctx or self.EVP_PKEY_CTX_set1_id(pctx, DEFAULT_ID, len(DEFAULT_ID)) != 1:
                return None
            self.EVP_MD_CTX_set_pkey_ctx(mctx, pctx)  # the caller keeps ownership of pctx
            init = self.EVP_DigestSignInit if sign else self.EVP_DigestVerifyInit
            if init(mctx, None, self.sm3, None, pkey) != 1:
                return None
            return call(mctx)
        finally:
            self.EVP_MD_CTX_free(mctx)
            self.EVP_PKEY_CTX_free(pctx)
            self.ERR_clear_error()  # a refused signature leaves an error in this thread's queue

    def verify(self, pkey: int, der_signature: bytes, message: bytes) -> bool:
        def call(mctx: Any) -> bool:
            return bool(
                self.EVP_DigestVerify(mctx, der_signature, len(der_signature), message, len(message)) == 1
            )

        return bool(self._digest_call(pkey, False, call))

    def sign(self, pkey: int, message: bytes) -> bytes | None:
        def call(mctx: Any) -> bytes | None:
            out = ctypes.create_string_buffer(80)
            size = ctypes.c_size_t(len(out))
            if self.EVP_DigestSign(mctx, out, ctypes.byref(size), message, len(message)) != 1:
                return None
            return out.raw[: size.value]

        result: bytes | None = self._digest_call(pkey, True, call)
        return result


class _Key:
    """An EVP_PKEY, freed when the last holder lets it go (an evicted key may still be in use)."""

    def __init__(self, lib: _OpenSSL, pointer: int) -> None:
        self._lib, self.pointer = lib, pointer

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter exit ctypes may already be gone
            self._lib.EVP_PKEY_free(self.pointer)


_lock = threading.Lock()
_lib: _OpenSSL | None = None
_backend: str | None = None
_why_not_native = ""
_KEYS_KEPT = 32  # issuer keys are a handful: decoding one costs more than checking a signature
_public_keys: OrderedDict[str, _Key | None] = OrderedDict()


def _load_native() -> tuple[_OpenSSL | None, str]:
    reasons = []
    for path in _candidates():
        lib, why = _load_from(path)
        if lib is not None:
            return lib, ""
        reasons.append(why)
    return None, "; ".join(reasons) or "libcrypto (OpenSSL 3) not found"


def _load_from(path: str) -> tuple[_OpenSSL | None, str]:
    try:
        lib = _OpenSSL(path)
    except (OSError, AttributeError) as exc:  # missing library or symbol, too old, no SM3
        return None, f"{path}: {exc}"
    pkey = lib.load(_SPKI_PREFIX + b"\x04" + bytes.fromhex(_KAT_PUBLIC), private=False)
    if pkey is None:
        return None, f"{path}: cannot load an SM2 public key"
    try:
        r, s = int(_KAT_SIGNATURE[:64], 16), int(_KAT_SIGNATURE[64:], 16)
        good = lib.verify(pkey, _der_signature(r, s), _KAT_MESSAGE)
        forged = lib.verify(pkey, _der_signature(r, s), _KAT_MESSAGE + b".")
    finally:
        lib.EVP_PKEY_free(pkey)
    if not good or forged:
        return None, f"{path}: SM2 self-test failed"
    return lib, ""


def _native() -> _OpenSSL | None:
    global _lib, _backend, _why_not_native
    if _backend is None:
        with _lock:
            if _backend is None:
                _lib, _why_not_native = _load_native()
                _backend = NATIVE if _lib is not None else PURE_PYTHON
                if _lib is None:
                    log.warning(
                        "SM2: native OpenSSL unavailable (%s); using pure-Python gmssl (slow)",
                        _why_not_native,
                    )
    return _lib


def backend() -> str:
    """``"openssl"`` when signatures are checked natively, ``"python"`` on the gmssl fallback."""
    _native()
    assert _backend is not None
    return _backend


def why_not_native() -> str:
    """Why the native path is not used ('' when it is)."""
    _native()
    return _why_not_native


def use_pure_python(reason: str = "forced") -> None:
    """Use the gmssl path from now on (tests of the fallback; a technician's comparison)."""
    global _lib, _backend, _why_not_native
    with _lock:
        _lib, _backend, _why_not_native = None, PURE_PYTHON, reason
        _public_keys.clear()


def reset() -> None:
    """Forget the choice: the next call looks for OpenSSL again (after :func:`use_pure_python`)."""
    global _lib, _backend, _why_not_native
    with _lock:
        _lib, _backend, _why_not_native = None, None, ""
        _public_keys.clear()


def _public_key(lib: _OpenSSL, bare: str) -> _Key | None:
    with _lock:
        if bare in _public_keys:
            _public_keys.move_to_end(bare)
            return _public_keys[bare]
    pointer = lib.load(_SPKI_PREFIX + b"\x04" + bytes.fromhex(bare), private=False)
    key = _Key(lib, pointer) if pointer is not None else None
    with _lock:
        _public_keys[bare] = key
        while len(_public_keys) > _KEYS_KEPT:
            _public_keys.popitem(last=False)
    return key


# --- the two operations ---------------------------------------------------------------------------


def verify(public_hex: str, signature_hex: str, message: bytes | bytearray) -> bool:
    """True only for a valid SM2 signature of ``message`` by ``public_hex``; False for anything
    malformed (wrong length, not hex, off the curve, r or s out of range, not bytes)."""
    key = bare_public_key(public_hex)
    rs = _signature_ints(signature_hex)
    if key is None or rs is None or not isinstance(message, bytes | bytearray):
        return False
    lib = _native()
    if lib is not None:
        handle = _public_key(lib, key)
        return handle is not None and lib.verify(handle.pointer, _der_signature(*rs), bytes(message))
    from gmssl import sm2

    try:
        return bool(
            sm2.CryptSM2(private_key=None, public_key=key).verify_with_sm3(signature_hex, bytes(message))
        )
    except (ValueError, TypeError, IndexError, ZeroDivisionError):
        return False


def sign(private_hex: str, public_hex: str, message: bytes) -> str:
    """An SM2 signature (128 hex digits) of ``message``; a fresh random nonce each time.

    ``public_hex`` goes into Z as given (as gmssl does), so a mismatched pair makes a signature
    that verifies under neither key."""
    bare = public_hex[2:] if len(public_hex) == 130 and public_hex[:2] == "04" else public_hex
    lib = _native()
    if lib is not None:
        der = (
            bytes.fromhex("30770201010420")
            + int(private_hex, 16).to_bytes(32, "big")
            + b"\xa0\x0a"
            + _SM2_OID
            + bytes.fromhex("a144034200")
            + b"\x04"
            + bytes.fromhex(bare)
        )
        pkey = lib.load(der, private=True)
        if pkey is None:
            raise ValueError("not an SM2 private key")
        try:
            signature = lib.sign(pkey, bytes(message))
        finally:
            lib.EVP_PKEY_free(pkey)
        if signature is None:
            raise ValueError("SM2 signing failed")
        r, s = _parse_der_signature(signature)
        return f"{r:064x}{s:064x}"
    from gmssl import sm2

    return str(
        sm2.CryptSM2(private_key=private_hex, public_key=bare).sign_with_sm3(
            bytes(message), secrets.token_hex(32)
        )
    )
