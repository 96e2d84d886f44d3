"""统一社会信用代码 (USCC, GB 32100-2015): structure and check character.

Pure functions, no database. The algorithm is in ../shared/reference/identifiers.md §1.3
(weights 3^i mod 31 over the 31-character set without I, O, Z, S, V).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
VALUES = {c: i for i, c in enumerate(ALPHABET)}
FORBIDDEN = "IOZSV"


def check_character(first17: str) -> str:
    """The 18th character for the given first 17 (which must be in the alphabet)."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def problem(code: str) -> str | None:
    """None if `code` is a valid USCC, otherwise the reason in Chinese."""
    if len(code) != 18:
        return f"长度应为18位，实际为{len(code)}位"
    for position, char in enumerate(code, start=1):
        if char in FORBIDDEN:
            return f"第{position}位“{char}”不允许使用（代码不使用 I、O、Z、S、V）"
        if char not in VALUES:
            return f"第{position}位“{char}”不是数字或大写字母"
    if not code[2:8].isdigit():
        return "第3-8位应为6位数字的登记管理机关行政区划码"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"校验位错误：第18位应为“{expected}”，实际为“{code[17]}”"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(first17: str) -> str:
    """A complete code from its first 17 characters (used by the demo data)."""
    return first17 + check_character(first17)


ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_check_character(first8: str) -> str:
    """The check character of a 组织机构代码 (GB 11714), positions 9-17 of a USCC."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return {10: "X", 11: "0"}.get(c, str(c))
