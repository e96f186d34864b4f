"""The OFD package: a zip of XML parts and resources, read with caps.

Nothing is extracted to disk. Names are looked up case-insensitively and with either slash (real
producers write ``DOC_0/Res`` next to ``Doc_0``, backslashes, leading ``/``). Every entry is read in
chunks and counted, because a zip entry's declared size can lie. XML is parsed by defusedxml with
DTDs, entities and external references forbidden (billion laughs, XXE); tags are compared by local
name because producers use both ``http://www.ofdspec.org`` and ``.../2016``.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from kiosk.ofd.errors import OfdError, OfdLimits

_CHUNK = 64 * 1024


def local(tag: str) -> str:
    """``{ns}Name`` → ``Name``."""
    return tag.rsplit("}", 1)[-1]


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: Element, name: str) -> Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el: Element, name: str) -> str | None:
    c = child(el, name)
    if c is None or c.text is None:
        return None
    return c.text.strip()


def normalise(name: str) -> str | None:
    """A package path without leading slash, or None when it climbs out of the package."""
    name = name.strip().replace("\\", "/")
    if not name:
        return None
    norm = posixpath.normpath("/" + name.lstrip("/"))
    if ".." in norm.split("/"):
        return None
    return norm.lstrip("/")


def join(base_dir: str, ref: str) -> str | None:
    """Resolve ``ref`` against ``base_dir`` (a package directory): absolute when it starts with /."""
    ref = ref.strip().replace("\\", "/")
    if ref.startswith("/"):
        return normalise(ref)
    joined = posixpath.normpath(posixpath.join("/" + base_dir, ref))
    if joined.startswith("/..") or ".." in joined.split("/"):
        return None
    return joined.lstrip("/")


class Package:
    """The zip's entries, read lazily with size caps, looked up case-insensitively."""

    def __init__(self, data: bytes, limits: OfdLimits) -> None:
        self.limits = limits
        if len(data) > limits.max_file_bytes:
            raise OfdError(
                f"文件过大（{len(data) // 1024} KB），超过允许的 {limits.max_file_bytes // 1024} KB",
                "file_too_large",
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise OfdError("文件不是有效的OFD：不是ZIP压缩包", "not_zip") from exc
        if len(infos) > limits.max_entries:
            raise OfdError(f"文件不是有效的OFD：包内文件过多（{len(infos)} 个）", "too_many_entries")
        self._by_key: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            raw = info.filename.replace("\\", "/")
            if any(part == ".." for part in raw.split("/")) or (raw.startswith("/") and ".." in raw):
                raise OfdError(f"文件不是有效的OFD：包内文件名不安全（{info.filename[:80]}）", "unsafe_name")
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise OfdError("文件不是有效的OFD：包内文件已加密", "encrypted")
            name = normalise(raw)
            if name is None:
                raise OfdError(f"文件不是有效的OFD：包内文件名不安全（{info.filename[:80]}）", "unsafe_name")
            if info.file_size > limits.max_entry_bytes:
                raise OfdError(f"文件不是有效的OFD：包内文件 {name} 解压后过大", "entry_too_large")
            declared += info.file_size
            self._by_key.setdefault(name.lower(), info)
        if declared > limits.max_total_bytes:
            raise OfdError("文件不是有效的OFD：解压后总大小超过限制", "total_too_large")
        self._cache: dict[str, bytes] = {}
        self._read_total = 0

    def names(self) -> list[str]:
        return [normalise(i.filename) or "" for i in self._by_key.values()]

    def exists(self, path: str | None) -> bool:
        return path is not None and path.lower() in self._by_key

    def real_name(self, path: str) -> str:
        info = self._by_key.get(path.lower())
        return normalise(info.filename) or path if info else path

    def read(self, path: str) -> bytes:
        """The entry's bytes; OfdError when missing or over a cap (counting what was inflated)."""
        key = path.lower()
        if key in self._cache:
            return self._cache[key]
        info = self._by_key.get(key)
        if info is None:
            raise OfdError(f"文件不是有效的OFD：缺少 {path}", "missing_part")
        cap = min(self.limits.max_entry_bytes, info.file_size)
        out = bytearray()
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    out += chunk
                    if len(out) > cap:
                        raise OfdError(
                            f"文件不是有效的OFD：包内文件 {path} 解压后大于声明的大小", "entry_too_large"
                        )
        except OfdError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise OfdError(f"文件不是有效的OFD：包内文件 {path} 已损坏", "corrupt_entry") from exc
        self._read_total += len(out)
        if self._read_total > self.limits.max_total_bytes:
            raise OfdError("文件不是有效的OFD：解压后总大小超过限制", "total_too_large")
        data = bytes(out)
        if len(data) <= 4 * 1024 * 1024:
            self._cache[key] = data
        return data

    def xml(self, path: str) -> Element:
        data = self.read(path)
        if len(data) > self.limits.max_xml_bytes:
            raise OfdError(f"文件不是有效的OFD：{path} 过大", "xml_too_large")
        try:
            return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException as exc:
            raise OfdError(
                f"文件不是有效的OFD：{path} 含有不允许的XML声明（DTD或实体）", "xml_forbidden"
            ) from exc
        except (SafeET.ParseError, ValueError) as exc:
            raise OfdError(f"文件不是有效的OFD：{path} 不是有效的XML", "bad_xml") from exc
