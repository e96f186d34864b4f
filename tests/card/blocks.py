"""Hand-built text blocks for golden tests: offsets copied from domain.md §1.1, not from the driver."""

from __future__ import annotations


def block(fields: dict[int, str], marker: str = " ") -> bytes:
    """256 bytes of UTF-16LE spaces with each text placed at its byte offset, marker at 248."""
    buf = bytearray(" ".encode("utf-16-le") * 128)
    for offset, text in {**fields, 248: marker}.items():
        raw = text.encode("utf-16-le")
        buf[offset : offset + len(raw)] = raw
    assert len(buf) == 256
    return bytes(buf)


RESIDENT = {
    0: "韦桂兰",
    30: "2",
    32: "08",
    36: "19580312",
    52: "广西壮族自治区柳州市柳江区拉堡镇柳堡路88号",
    122: "450206195803120088",
    158: "柳州市公安局柳江分局",
    188: "20180601",
    204: "长期",
}

HMT = {
    0: "陈志明",
    30: "1",
    36: "19800214",
    52: "香港特别行政区",
    122: "810000198002140056",
    158: "柳州市公安局",
    188: "20210701",
    204: "20261231",
    220: "H12345678",
    238: "01",
}

FOREIGN_2017 = {
    0: "SMITH, JANE ELIZABETH",
    120: "2",
    122: "USA110085060312",
    152: "USA",
    158: "史珍妮",
    188: "20170301",
    204: "20270301",
    220: "19850603",
    236: "01",
    240: "1100",
}

FOREIGN_2023 = {
    0: "约翰逊",
    30: "1",
    32: "00",
    36: "19850706",
    52: "JOHNSON, DAVID",
    122: "94582619850706001X",
    188: "20240115",
    204: "20340114",
    242: "GBR",
}
