"""The OFD document model: pages, templates, resources, annotations, signatures (GB/T 33190).

Only the structure is read here; drawing is in :mod:`kiosk.ofd.render`, signatures are checked in
:mod:`kiosk.ofd.verify`. References between parts are resolved against the referring part's folder,
then the document's folder, then the package root, because real producers write all three.
"""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from kiosk.ofd.container import Package, child, child_text, children, join, local
from kiosk.ofd.errors import DEFAULT_LIMITS, OfdError, OfdLimits

A4_MM = (210.0, 297.0)


def parse_box(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        parts = [float(p) for p in text.replace(",", " ").split()]
    except ValueError:
        return None
    if len(parts) != 4 or not all(map(_finite, parts)):
        return None
    return (parts[0], parts[1], parts[2], parts[3])


def _finite(v: float) -> bool:
    return v == v and abs(v) < 1e7


@dataclass(frozen=True)
class FontRes:
    id: str
    name: str
    family: str
    file: str | None  # package path of the embedded font, when one is named and present
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class MediaRes:
    id: str
    type: str
    format: str
    file: str | None  # package path, None when the named file is absent


@dataclass(frozen=True)
class StampAnnot:
    page_id: str
    boundary: tuple[float, float, float, float]
    clip: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Reference:
    file: str  # as written (e.g. "/Doc_0/Pages/Page_0/Content.xml")
    check_value: str  # base64


@dataclass
class SignatureInfo:
    """One entry of Signatures.xml with its Signature.xml read (not yet verified)."""

    id: str
    type: str  # "Seal" (electronic seal) or "Sign" (digital signature)
    path: str  # package path of Signature.xml
    signed_value_path: str | None
    seal_path: str | None
    check_method: str
    signature_method: str
    signature_datetime: str | None
    references: list[Reference] = field(default_factory=list)
    stamps: list[StampAnnot] = field(default_factory=list)
    provider: str | None = None
    problem: str | None = None  # Signature.xml could not be read: why


@dataclass(frozen=True)
class Page:
    id: str
    path: str
    templates: tuple[tuple[str, str], ...]  # (template id, ZOrder)


class OfdDocument:
    """An opened OFD file (its first document: certificates and invoices carry one)."""

    def __init__(self, data: bytes, limits: OfdLimits) -> None:
        self.limits = limits
        self.digest = hashlib.sha256(data).hexdigest()
        self.size = len(data)
        self.package = Package(data, limits)
        if not self.package.exists("OFD.xml"):
            raise OfdError("文件不是有效的OFD：缺少OFD.xml", "missing_ofd_xml")
        root = self.package.xml("OFD.xml")
        if local(root.tag) != "OFD":
            raise OfdError("文件不是有效的OFD：OFD.xml 的根元素不是 OFD", "bad_ofd_xml")
        body = child(root, "DocBody")
        if body is None:
            raise OfdError("文件不是有效的OFD：OFD.xml 缺少 DocBody", "bad_ofd_xml")
        doc_root = child_text(body, "DocRoot")
        self.doc_path = self._resolve("", doc_root or "") if doc_root else None
        if self.doc_path is None:
            raise OfdError("文件不是有效的OFD：缺少 Document.xml（DocRoot）", "missing_document")
        self.doc_dir = posixpath.dirname(self.doc_path)
        self.doc_info: dict[str, str] = {}
        info = child(body, "DocInfo")
        if info is not None:
            for el in info:
                if el.text and el.text.strip() and len(el) == 0:
                    self.doc_info[local(el.tag)] = el.text.strip()[:200]
        doc = self.package.xml(self.doc_path)
        if local(doc.tag) != "Document":
            raise OfdError("文件不是有效的OFD：Document.xml 的根元素不是 Document", "bad_document")

        self.physical_box: tuple[float, float, float, float] = (0.0, 0.0, *A4_MM)
        self.fonts: dict[str, FontRes] = {}
        self.media: dict[str, MediaRes] = {}
        self.draw_params: dict[str, Element] = {}
        self.templates: dict[str, str] = {}
        self._res_loaded: set[str] = set()
        common = child(doc, "CommonData")
        if common is not None:
            area = child(common, "PageArea")
            box = parse_box(child_text(area, "PhysicalBox")) if area is not None else None
            if box and box[2] > 0 and box[3] > 0:
                self.physical_box = box
            for tag in ("PublicRes", "DocumentRes"):
                for el in children(common, tag):
                    if el.text:
                        self.load_res(self.doc_dir, el.text)
            for el in children(common, "TemplatePage"):
                loc = el.get("BaseLoc")
                tid = el.get("ID")
                if loc and tid:
                    path = self._resolve(self.doc_dir, loc)
                    if path:
                        self.templates[tid] = path
        self.pages: list[Page] = []
        pages_el = child(doc, "Pages")
        for el in children(pages_el, "Page") if pages_el is not None else []:
            loc = el.get("BaseLoc")
            path = self._resolve(self.doc_dir, loc) if loc else None
            if path is None:
                raise OfdError(
                    f"文件不是有效的OFD：缺少第 {len(self.pages) + 1} 页（{(loc or '')[:80]}）",
                    "missing_page",
                )
            self.pages.append(Page(el.get("ID") or str(len(self.pages) + 1), path, ()))
            if len(self.pages) > limits.max_pages:
                raise OfdError(f"文件页数过多（超过 {limits.max_pages} 页）", "too_many_pages")
        if not self.pages:
            raise OfdError("文件不是有效的OFD：没有页面", "no_pages")
        self.annotations: dict[str, list[str]] = {}
        annots = child_text(doc, "Annotations")
        if annots:
            self._load_annotations(annots)
        self.signatures: list[SignatureInfo] = []
        sigs = child_text(body, "Signatures")
        if sigs:
            self._load_signatures(sigs)

    # --- references -------------------------------------------------------------------------
    def _resolve(self, base_dir: str, ref: str) -> str | None:
        """The package path ``ref`` names, trying the referring folder, the document's, the root."""
        if not ref or not ref.strip():
            return None
        candidates = [join(base_dir, ref)]
        doc_dir = getattr(self, "doc_dir", "")
        if doc_dir:
            candidates.append(join(doc_dir, ref.lstrip("/")))
        candidates.append(join("", ref.lstrip("/")))
        for cand in candidates:
            if cand is not None and self.package.exists(cand):
                return self.package.real_name(cand)
        return None

    def load_res(self, base_dir: str, ref: str) -> None:
        path = self._resolve(base_dir, ref)
        if path is None or path.lower() in self._res_loaded:
            return
        self._res_loaded.add(path.lower())
        res = self.package.xml(path)
        res_dir = posixpath.dirname(path)
        base = res.get("BaseLoc")
        media_dir = join(res_dir, base) if base else res_dir
        media_dir = media_dir if media_dir is not None else res_dir
        for group in res:
            kind = local(group.tag)
            for item in group:
                rid = item.get("ID")
                if not rid:
                    continue
                if kind == "Fonts":
                    ref_file = child_text(item, "FontFile")
                    fpath = self._resolve_media(media_dir, res_dir, ref_file) if ref_file else None
                    self.fonts[rid] = FontRes(
                        rid,
                        item.get("FontName") or "",
                        item.get("FamilyName") or "",
                        fpath,
                        item.get("Bold") == "true",
                        item.get("Italic") == "true",
                    )
                elif kind == "MultiMedias":
                    ref_file = child_text(item, "MediaFile")
                    mpath = self._resolve_media(media_dir, res_dir, ref_file) if ref_file else None
                    self.media[rid] = MediaRes(
                        rid, item.get("Type") or "Image", (item.get("Format") or "").upper(), mpath
                    )
                elif kind == "DrawParams":
                    self.draw_params[rid] = item

    def _resolve_media(self, media_dir: str, res_dir: str, ref: str) -> str | None:
        ref = ref.strip()
        if ref.startswith("/"):
            return self._resolve("", ref)
        for base in (media_dir, res_dir):
            cand = join(base, ref)
            if cand is not None and self.package.exists(cand):
                return self.package.real_name(cand)
        return self._resolve(self.doc_dir, ref)

    def _load_annotations(self, ref: str) -> None:
        path = self._resolve(self.doc_dir, ref)
        if path is None:
            return  # a missing annotation list hides annotations, it does not hide the document
        root = self.package.xml(path)
        base = posixpath.dirname(path)
        for page in children(root, "Page"):
            pid = page.get("PageID")
            loc = child_text(page, "FileLoc")
            if not pid or not loc:
                continue
            apath = self._resolve(base, loc)
            if apath:
                self.annotations.setdefault(pid, []).append(apath)

    def _load_signatures(self, ref: str) -> None:
        path = self._resolve("", ref)
        if path is None:
            raise OfdError(f"文件不是有效的OFD：缺少签名列表 {ref[:80]}", "missing_signatures")
        root = self.package.xml(path)
        base = posixpath.dirname(path)
        for el in children(root, "Signature"):
            if len(self.signatures) >= self.limits.max_signatures:
                raise OfdError("文件不是有效的OFD：签名过多", "too_many_signatures")
            sid = el.get("ID") or str(len(self.signatures) + 1)
            stype = el.get("Type") or "Seal"
            loc = el.get("BaseLoc") or ""
            spath = self._resolve(base, loc)
            info = SignatureInfo(sid, stype, spath or loc, None, None, "", "", None)
            if spath is None:
                info.problem = f"缺少签名描述文件 {loc[:80]}"
            else:
                try:
                    self._read_signature(info, spath)
                except OfdError as exc:
                    info.problem = exc.reason
            self.signatures.append(info)

    def _read_signature(self, info: SignatureInfo, path: str) -> None:
        root = self.package.xml(path)
        base = posixpath.dirname(path)
        value = child_text(root, "SignedValue")
        if value:
            info.signed_value_path = self._resolve(base, value)
        if info.signed_value_path is None:  # several producers omit the element
            guess = join(base, "SignedValue.dat")
            if guess and self.package.exists(guess):
                info.signed_value_path = self.package.real_name(guess)
        signed = child(root, "SignedInfo")
        if signed is None:
            info.problem = "签名描述文件缺少 SignedInfo"
            return
        provider = child(signed, "Provider")
        if provider is not None:
            info.provider = provider.get("ProviderName")
        info.signature_method = child_text(signed, "SignatureMethod") or ""
        info.signature_datetime = child_text(signed, "SignatureDateTime")
        seal = child(signed, "Seal")
        if seal is not None:
            seal_loc = child_text(seal, "BaseLoc")
            if seal_loc:
                info.seal_path = self._resolve(base, seal_loc)
        refs = child(signed, "References")
        if refs is not None:
            info.check_method = refs.get("CheckMethod") or "MD5"
            for r in children(refs, "Reference"):
                file_ref = r.get("FileRef")
                if file_ref:
                    info.references.append(Reference(file_ref, child_text(r, "CheckValue") or ""))
        for stamp in children(signed, "StampAnnot"):
            box = parse_box(stamp.get("Boundary"))
            if box is not None and stamp.get("PageRef"):
                info.stamps.append(StampAnnot(stamp.get("PageRef") or "", box, parse_box(stamp.get("Clip"))))

    # --- pages ------------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_xml(self, index: int) -> Element:
        self._check_index(index)
        return self.package.xml(self.pages[index].path)

    def page_box(self, index: int) -> tuple[float, float, float, float]:
        page = self.page_xml(index)
        area = child(page, "Area")
        if area is not None:
            box = parse_box(child_text(area, "PhysicalBox"))
            if box and box[2] > 0 and box[3] > 0:
                return box
        return self.physical_box

    def page_size_mm(self, index: int) -> tuple[float, float]:
        box = self.page_box(index)
        return (box[2], box[3])

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            raise OfdError(f"没有第 {index + 1} 页（共 {len(self.pages)} 页）", "no_such_page")


def open_ofd(data: bytes, *, limits: OfdLimits | None = None) -> OfdDocument:
    """Open an OFD file held in memory; OfdError (with a plain-Chinese reason) for anything wrong."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise OfdError("文件不是有效的OFD：没有内容", "empty")
    data = bytes(data)
    if not data:
        raise OfdError("文件不是有效的OFD：文件为空", "empty")
    try:
        return OfdDocument(data, limits or DEFAULT_LIMITS)
    except OfdError:
        raise
    except RecursionError as exc:
        raise OfdError("文件不是有效的OFD：结构嵌套过深", "too_deep") from exc
    except MemoryError as exc:
        raise OfdError("文件过大，无法打开", "no_memory") from exc
