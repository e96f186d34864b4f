"""Check-character arithmetic for the identifiers the terminal meets (pure, no I/O).

* GB/T 36904 电子证照标识 with its ISO/IEC 7064 MOD 37,36 check character (domain.md §2.2);
* GB 32100 统一社会信用代码 (domain.md §2.5);
* GB 11643 公民身份号码 with its ISO 7064 MOD 11-2 check digit and a plausible birth date (§1.2).

The terminal checks these itself rather than trusting the backend: a wrong check character is the
cheapest sign that a record was mangled or forged. Each failure raises a typed ``ValueError``
subclass whose ``reason`` is a short plain-Chinese sentence the screens may show as is.

The check-character arithmetic is python-stdnum's (``stdnum.iso7064.mod_37_36``, ``stdnum.cn.uscc``,
``stdnum.iso7064.mod_11_2``), a maintained library, and a USCC's administrative-division code is
looked up in stdnum's table of divisions. What stays here is what stdnum does not do or does
differently on purpose:

* the structure of the e-certificate identifier (root, parts, version) — stdnum knows only the
  check character;
* USCCs whose registration-authority character is a letter (``N`` 农业, ``Y`` 其他 …), which
  ``stdnum.cn.uscc.validate`` refuses (it wants digits in positions 1–8), and ``100000``, the code
  of bodies registered at national level, which is not in the table of divisions;
* ID numbers are not passed through ``stdnum.cn.ric.validate``: it refuses any region code not in
  its table for the birth year, which refuses the GB 11643 numbers of 港澳台居民居住证 (810000,
  820000, 830000) and of 外国人永久居留身份证 (9xxxxx) — card holders the terminal serves — and
  numbers whose county was renamed after birth; we check the check digit and the birth date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import numdb
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_2, mod_37_36

# --------------------------------------------------------------------------- errors


class IdentifierError(ValueError):
    """An identifier that is not well formed; ``reason`` is plain Chinese."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} {detail}".strip())
        self.reason = reason
        self.detail = detail


class CertificateIdentifierError(IdentifierError):
    """A GB/T 36904 certificate identifier that is malformed or whose check character is wrong."""


class CreditCodeError(IdentifierError):
    """A GB 32100 unified social credit code that is malformed or whose check character is wrong."""


class IdNumberError(IdentifierError):
    """A GB 11643 citizen ID number that is malformed, has a bad check digit or an impossible date."""


# --------------------------------------------------------------------------- GB/T 36904

CERT_ROOT = "1.2.156.3005.2"
_MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD37_VALUE = {c: i for i, c in enumerate(_MOD37_ALPHABET)}
_PART = re.compile(r"^[0-9A-Z]+$")
_VERSION = re.compile(r"^[0-9]{3}$")


def mod37_36_check(payload: str) -> str:
    """ISO/IEC 7064 MOD 37,36 check character of ``payload`` (digits and upper-case letters).

    Raises :class:`CertificateIdentifierError` for a character outside the alphabet (lower case
    letters are not folded: the standard's identifiers are upper case, and folding would let two
    spellings of one identifier both validate).
    """
    if not payload:
        raise CertificateIdentifierError("证照标识内容为空")
    for ch in payload:
        if ch not in _MOD37_VALUE:
            raise CertificateIdentifierError("证照标识含有不允许的字符", repr(ch))
    return str(mod_37_36.calc_check_digit(payload, alphabet=_MOD37_ALPHABET))


@dataclass(frozen=True, slots=True)
class CertificateIdentifier:
    """The parts of a GB/T 36904 identifier."""

    type_code: str
    issuer_code: str
    serial: str
    version: str
    check: str

    @property
    def payload(self) -> str:
        return f"{self.type_code}{self.issuer_code}{self.serial}{self.version}"

    def __str__(self) -> str:
        return f"{CERT_ROOT}.{self.type_code}.{self.issuer_code}.{self.serial}.{self.version}.{self.check}"


def parse_certificate_identifier(text: str) -> CertificateIdentifier:
    """Parse and check a GB/T 36904 identifier.

    The serial may itself contain dots in some platforms' output, so type and issuer are taken from
    the left and check and version from the right; whatever is left is the serial (with its dots
    removed for the check, as the standard concatenates the parts without separators).
    """
    if not isinstance(text, str):
        raise CertificateIdentifierError("证照标识格式错误", "not a string")
    text = text.strip()
    if not text.startswith(CERT_ROOT + "."):
        raise CertificateIdentifierError("证照标识格式错误", "wrong root")
    parts = text[len(CERT_ROOT) + 1 :].split(".")
    if len(parts) < 5 or any(not p for p in parts):
        raise CertificateIdentifierError("证照标识格式错误", "missing parts")
    type_code, issuer_code, *serial_parts, version, check = parts
    serial = "".join(serial_parts)
    for part in (type_code, issuer_code, serial):
        if not _PART.match(part):
            raise CertificateIdentifierError("证照标识格式错误", "bad characters")
    if not _VERSION.match(version):
        raise CertificateIdentifierError("证照标识版本号格式错误")
    if len(check) != 1 or check not in _MOD37_VALUE:
        raise CertificateIdentifierError("证照标识校验位格式错误")
    ident = CertificateIdentifier(type_code, issuer_code, serial, version, check)
    if mod37_36_check(ident.payload) != check:
        raise CertificateIdentifierError("证照标识校验位错误")
    return ident


def make_certificate_identifier(type_code: str, issuer_code: str, serial: str, version: str = "001") -> str:
    """Build a valid identifier (the reference server and tests mint identifiers with it)."""
    payload = f"{type_code}{issuer_code}{serial}{version}"
    check = mod37_36_check(payload)
    return str(CertificateIdentifier(type_code, issuer_code, serial, version, check))


def is_valid_certificate_identifier(text: str) -> bool:
    try:
        parse_certificate_identifier(text)
    except CertificateIdentifierError:
        return False
    return True


# --------------------------------------------------------------------------- GB 32100

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
NATIONAL_REGION = "100000"  # bodies registered at national level (e.g. the ministries)


def credit_code_check(first17: str) -> str:
    """Check character of the first 17 characters of a unified social credit code."""
    if len(first17) != 17:
        raise CreditCodeError("统一社会信用代码长度错误")
    for ch in first17:
        if ch not in _USCC_VALUE:
            raise CreditCodeError("统一社会信用代码含有不允许的字符", repr(ch))
    return str(stdnum_uscc.calc_check_digit(first17))


def is_known_region(code: str) -> bool:
    """Whether a 6-digit code is an administrative division (of any period) or the national code."""
    if code == NATIONAL_REGION:
        return True
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    parts = numdb.get("cn/loc").info(code)
    return len(parts) == 2 and all(props for _, props in parts)


def validate_credit_code(code: str) -> str:
    """Return ``code`` if it is a valid GB 32100 code, else raise :class:`CreditCodeError`.

    Checks the alphabet, the check character and that positions 3–8 are a real administrative
    division (the part that random or made-up codes almost never get right).
    """
    if not isinstance(code, str) or len(code) != 18:
        raise CreditCodeError("统一社会信用代码长度错误")
    if code[-1] not in _USCC_VALUE:
        raise CreditCodeError("统一社会信用代码含有不允许的字符", repr(code[-1]))
    if credit_code_check(code[:17]) != code[17]:
        raise CreditCodeError("统一社会信用代码校验位错误")
    if not is_known_region(code[2:8]):
        raise CreditCodeError("统一社会信用代码中的行政区划码不存在", code[2:8])
    return code


def is_valid_credit_code(code: str) -> bool:
    try:
        validate_credit_code(code)
    except CreditCodeError:
        return False
    return True


# --------------------------------------------------------------------------- GB 11643

_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
EARLIEST_BIRTH = date(1880, 1, 1)


def id_number_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdNumberError("身份证号码格式错误")
    return str(mod_11_2.calc_check_digit(first17))


@dataclass(frozen=True, slots=True)
class IdNumber:
    number: str
    region: str
    birth_date: date
    male: bool


def parse_id_number(number: str, today: date | None = None) -> IdNumber:
    """Check a GB 11643 number: shape, check digit, and a birth date that exists and is not future.

    A lower-case ``x`` is refused rather than folded: card chips and platforms use ``X``, and a
    lower-case one means the value was typed or mangled on the way.
    """
    if not isinstance(number, str) or not _ID_SHAPE.match(number):
        raise IdNumberError("身份证号码格式错误")
    if id_number_check(number[:17]) != number[17]:
        raise IdNumberError("身份证号码校验位错误")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("身份证号码中的出生日期不存在") from None
    today = today or date.today()
    if birth > today or birth < EARLIEST_BIRTH:
        raise IdNumberError("身份证号码中的出生日期不合理")
    return IdNumber(number, number[:6], birth, int(number[16]) % 2 == 1)


def validate_id_number(number: str, today: date | None = None) -> str:
    parse_id_number(number, today)
    return number


def is_valid_id_number(number: str, today: date | None = None) -> bool:
    try:
        parse_id_number(number, today)
    except IdNumberError:
        return False
    return True
