"""Demo data: the fictitious people of ``config/demo_identities.toml`` and their certificates.

测试数据：所有人员、企业与证照均为虚构。Each holder gets a realistic spread of certificate types;
the "business" holder also represents two businesses (营业执照 with valid GB 32100 codes); the
"rare" holder has one certificate that has expired by its dates and one that was revoked; the
"minority" holder's identity-card certificate carries the platform's expired status (22).
Identifiers are valid GB/T 36904 identifiers, records are signed with the DEMO issuer key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from refserver.identifiers import certificate_identifier, credit_code
from refserver.ofd import link_for
from refserver.signing import Issuer
from refserver.store import Store, StoredHolder, StoredRecord, Terminal

STATUS_VALID = "10"
STATUS_REVOKED = "21"
STATUS_EXPIRED = "22"
STATUS_RESTRICTED = "23"

# Defining bodies of each certificate type (fictitious codes with valid GB 32100 check characters)
# + a 3-digit sequence = the 21-character GB/T 36904 type code.
_MPS = credit_code("11100000000000001")
_MCA = credit_code("11100000000000002")
_MNR = credit_code("11100000000000003")
_MOHRSS = credit_code("11100000000000004")
_SAMR = credit_code("11100000000000005")

TYPE_CODES: dict[str, str] = {
    "居民身份证": _MPS + "001",
    "居民户口簿": _MPS + "002",
    "机动车驾驶证": _MPS + "011",
    "结婚证": _MCA + "001",
    "不动产权证书": _MNR + "001",
    "社会保障卡": _MOHRSS + "001",
    "营业执照": _SAMR + "001",
}

_ISSUERS: dict[str, tuple[str, str]] = {
    "police": ("柳州市公安局柳江分局", credit_code("11450206MB0000001")),
    "traffic": ("柳州市公安局交通警察支队", credit_code("11450200MB0000002")),
    "civil": ("柳州市柳江区民政局", credit_code("11450206MB0000003")),
    "land": ("柳州市不动产登记中心", credit_code("12450200MB0000004")),
    "hrss": ("柳州市人力资源和社会保障局", credit_code("11450200MB0000005")),
    "market": ("柳州市柳江区市场监督管理局", credit_code("11450206MB0000006")),
}

DEMO_TERMINAL_ID = "LJ-ZZ-DEMO"
# DEMO ONLY: the secret of the demo terminal of a seeded database (tests and `kiosk demo` pass their
# own random secrets with --terminals).
DEMO_TERMINAL_SECRET = "demo-terminal-secret-NOT-FOR-PRODUCTION"

NATIONS = {"05": "维吾尔", "08": "壮", "32": "仫佬", "01": "汉"}
SEXES = {"1": "男", "2": "女"}


@dataclass
class _Cert:
    kind: str
    issuer: str
    number: str
    issue: date
    valid_from: date
    valid_to: date | None
    face: list[tuple[str, str]]
    status: str = STATUS_VALID
    holder_name: str | None = None  # default: the person
    holder_code: str | None = None
    holder_type: str = "111"
    extra: dict[str, Any] = field(default_factory=dict)


def load_identities() -> list[dict[str, Any]]:
    text = resources.files("config").joinpath("demo_identities.toml").read_text(encoding="utf-8")
    return list(tomllib.loads(text)["identity"])


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _fmt(d: date | None) -> str:
    return "长期" if d is None else f"{d.year}年{d.month}月{d.day}日"


def _id_card(p: dict[str, Any], status: str = STATUS_VALID) -> _Cert:
    valid_to = _d(p["valid_to"]) if p.get("valid_to") else None
    return _Cert(
        "居民身份证",
        "police",
        p["id_number"],
        _d(p["valid_from"]),
        _d(p["valid_from"]),
        valid_to,
        [
            ("姓名", p["name"]),
            ("性别", SEXES.get(p.get("sex", ""), "")),
            ("民族", NATIONS.get(p.get("nation", ""), "")),
            ("出生", _fmt(_d(p["birth_date"]))),
            ("住址", p.get("address", "")),
            ("公民身份号码", p["id_number"]),
            ("签发机关", p.get("authority", "")),
            ("有效期限", f"{_fmt(_d(p['valid_from']))}—{_fmt(valid_to)}"),
        ],
        status=status,
    )


def _hukou(p: dict[str, Any], hh_no: str, issue: date, relation: str = "户主") -> _Cert:
    return _Cert(
        "居民户口簿",
        "police",
        hh_no,
        issue,
        issue,
        None,
        [
            ("户别", "家庭户"),
            ("户号", hh_no),
            ("住址", p.get("address", "")),
            ("姓名", p["name"]),
            ("与户主关系", relation),
            ("公民身份号码", p["id_number"]),
            ("登记日期", _fmt(issue)),
        ],
    )


def _marriage(p: dict[str, Any], spouse: str, no: str, issue: date, status: str = STATUS_VALID) -> _Cert:
    return _Cert(
        "结婚证",
        "civil",
        no,
        issue,
        issue,
        None,
        [
            ("持证人", p["name"]),
            ("登记日期", _fmt(issue)),
            ("结婚证字号", no),
            ("配偶姓名", spouse),
            ("备注", "测试数据"),
        ],
        status=status,
    )


def _estate(p: dict[str, Any], no: str, issue: date, where: str, area: str, use: str) -> _Cert:
    return _Cert(
        "不动产权证书",
        "land",
        no,
        issue,
        issue,
        None,
        [
            ("权利人", p["name"]),
            ("共有情况", "单独所有"),
            ("坐落", where),
            ("不动产单元号", "450206" + no[-6:] + "GB00001F00010001"),
            ("权利类型", "国有建设用地使用权/房屋所有权"),
            ("权利性质", "出让/市场化商品房"),
            ("用途", use),
            ("面积", area),
            ("使用期限", "2070年12月31日止"),
        ],
    )


def _ssc(p: dict[str, Any], card_no: str, issue: date) -> _Cert:
    valid_to = date(issue.year + 10, issue.month, issue.day)
    return _Cert(
        "社会保障卡",
        "hrss",
        card_no,
        issue,
        issue,
        valid_to,
        [
            ("姓名", p["name"]),
            ("社会保障号码", p["id_number"]),
            ("卡号", card_no),
            ("发卡日期", _fmt(issue)),
            ("有效期", _fmt(valid_to)),
        ],
    )


def _licence(
    p: dict[str, Any],
    first: date,
    issue: date,
    valid_to: date | None,
    cls: str = "C1",
    status: str = STATUS_VALID,
) -> _Cert:
    return _Cert(
        "机动车驾驶证",
        "traffic",
        p["id_number"],
        issue,
        issue,
        valid_to,
        [
            ("证号", p["id_number"]),
            ("姓名", p["name"]),
            ("性别", SEXES.get(p.get("sex", ""), "")),
            ("国籍", p.get("nationality", "中国")),
            ("住址", p.get("address", "")),
            ("出生日期", _fmt(_d(p["birth_date"]))),
            ("初次领证日期", _fmt(first)),
            ("准驾车型", cls),
            ("有效期限", f"{_fmt(issue)}至{_fmt(valid_to)}"),
        ],
        status=status,
    )


def _business(
    p: dict[str, Any], name: str, code: str, kind: str, capital: str, founded: date, scope: str
) -> _Cert:
    return _Cert(
        "营业执照",
        "market",
        code,
        founded,
        founded,
        None,
        [
            ("名称", name),
            ("统一社会信用代码", code),
            ("类型", kind),
            ("法定代表人", p["name"]),
            ("经营范围", scope),
            ("注册资本", capital),
            ("成立日期", _fmt(founded)),
            ("住所", p.get("address", "")),
        ],
        holder_name=name,
        holder_code=code,
        holder_type="001",
    )


def certificates_for(p: dict[str, Any]) -> list[_Cert]:
    key = p["key"]
    if key == "elder":
        return [
            _id_card(p),
            _hukou(p, "450206010088", date(2010, 4, 2)),
            _marriage(p, "覃德明（测试数据）", "J450221-1980-000318", date(1980, 10, 6)),
            _estate(
                p,
                "桂(2015)柳江区不动产权第0001288号",
                date(2015, 8, 19),
                "柳江区拉堡镇柳堡路88号1栋2单元301",
                "房屋建筑面积96.50㎡",
                "城镇住宅用地/住宅",
            ),
            _ssc(p, "A00450881", date(2019, 5, 10)),
        ]
    if key == "rare":
        return [
            _id_card(p),
            _hukou(p, "450206020038", date(2008, 3, 15), relation="子"),
            _ssc(p, "A00450382", date(2020, 7, 1)),
            # expired by its dates though the platform still says "10": the terminal must notice
            _licence(p, date(2012, 5, 1), date(2018, 5, 1), date(2024, 5, 1)),
            # revoked (e.g. after a divorce the certificate was 注销)
            _marriage(
                p, "蓝小燕（测试数据）", "J450206-2016-002211", date(2016, 2, 14), status=STATUS_REVOKED
            ),
            _estate(
                p,
                "桂(2021)柳江区不动产权第0005170号",
                date(2021, 11, 3),
                "柳江区进德镇进德街16号",
                "房屋建筑面积123.40㎡",
                "宅基地/住宅",
            ),
        ]
    if key == "minority":
        return [
            _id_card(p, status=STATUS_EXPIRED),
            _hukou(p, "450206030046", date(2015, 3, 1), relation="户主"),
            _ssc(p, "A00450463", date(2021, 9, 9)),
            _licence(p, date(2019, 6, 6), date(2019, 6, 6), date(2029, 6, 6)),
        ]
    if key == "business":
        company = credit_code("91450206MA5K00001")
        shop = credit_code("92450206MA5K00002")
        return [
            _id_card(p),
            _hukou(p, "450206040518", date(1998, 1, 20)),
            _marriage(p, "韦秀英（测试数据）", "J450221-1996-000512", date(1996, 12, 8)),
            _estate(
                p,
                "桂(2012)柳江区不动产权第0000518号",
                date(2012, 6, 30),
                "柳江区穿山镇穿山街3号",
                "房屋建筑面积142.00㎡",
                "城镇住宅用地/住宅",
            ),
            _estate(
                p,
                "桂(2018)柳江区不动产权第0003018号",
                date(2018, 4, 12),
                "柳江区穿山镇穿山街5号铺面",
                "房屋建筑面积68.20㎡",
                "商业用地/商业服务",
            ),
            _estate(
                p,
                "桂(2022)柳江区不动产权第0007022号",
                date(2022, 9, 1),
                "柳江区拉堡镇工业园7号仓库",
                "房屋建筑面积420.00㎡",
                "工业用地/仓储",
            ),
            _ssc(p, "A00450518", date(2018, 3, 3)),
            _licence(p, date(1995, 7, 1), date(2021, 7, 1), date(2031, 7, 1), cls="B2"),
            _business(
                p,
                "柳州市柳江区海生农产品有限公司（测试数据）",
                company,
                "有限责任公司（自然人独资）",
                "伍拾万元整",
                date(2016, 3, 18),
                "农产品收购、销售；仓储服务（测试数据）",
            ),
            _business(
                p,
                "柳江区穿山镇海生百货店（测试数据）",
                shop,
                "个体工商户",
                "—",
                date(2010, 8, 8),
                "日用百货零售（测试数据）",
            ),
        ]
    if key == "hmt":
        return [
            _ssc(p, "A00450056", date(2022, 2, 2)),
            _licence(p, date(2022, 3, 1), date(2022, 3, 1), date(2028, 3, 1)),
        ]
    if key == "foreign":
        return [
            _ssc(p, "A0045001X", date(2024, 6, 1)),
            _licence(p, date(2024, 8, 1), date(2024, 8, 1), date(2030, 8, 1)),
        ]
    return [_id_card(p)]


def build_record(p: dict[str, Any], c: _Cert, serial: str, key_id: str) -> dict[str, Any]:
    issuer_name, issuer_code = _ISSUERS[c.issuer]
    type_code = TYPE_CODES[c.kind]
    return {
        "identifier": certificate_identifier(type_code, issuer_code, serial),
        "type_code": type_code,
        "name": c.kind,
        "number": c.number,
        "holder_name": c.holder_name or p["name"],
        "holder_code": c.holder_code or p["id_number"],
        "holder_type": c.holder_type,
        "issuer": issuer_name,
        "issuer_code": issuer_code,
        "issue_date": c.issue.isoformat(),
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat() if c.valid_to else None,
        "status": c.status,
        "face": [{"label": k, "value": v} for k, v in c.face],
        "key_id": key_id,
    }


def seed(store: Store, issuer: Issuer | None = None, terminals: list[Terminal] | None = None) -> int:
    """Fill ``store`` with the demo holders and their signed records; returns the record count."""
    issuer = issuer or Issuer()
    count = 0
    for n, p in enumerate(load_identities(), start=1):
        holder_type = "111"
        store.add_holder(
            StoredHolder(p["key"], p["name"], p["id_number"], holder_type, p.get("card_type", "resident"))
        )
        for i, c in enumerate(certificates_for(p), start=1):
            serial = f"{c.issue.year}{n:02d}{i:05d}"
            record = build_record(p, c, serial, issuer.key_id)
            # the certificate as issued: a sealed OFD file, linked and digested inside the signed record
            record["ofd"] = link_for(record)
            rep = p["id_number"] if c.holder_type == "001" else None
            store.add_record(
                StoredRecord(
                    record["identifier"],
                    record["holder_code"],
                    record["type_code"],
                    record,
                    issuer.key_id,
                    issuer.sign(record),
                ),
                represented_by=rep,
                position=count,
            )
            count += 1
    for t in terminals or [Terminal(DEMO_TERMINAL_ID, DEMO_TERMINAL_SECRET, (), 600)]:
        store.put_terminal(t)
    store.mark_seeded()
    return count
