"""USCC check (GB 32100-2015) against published codes and as properties over all codes."""

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from benan.enterprises import uscc

# Codes whose check characters were verified in ../shared/reference/identifiers.md §1.4.
REAL = [
    "914403001922038216", "9144030071526726XG", "91440300708461136T", "91110108551385082Q",
    "91330100799655058B", "91310110666007217T", "91440300192241158P", "91310115591693856A",
]
WRONG_CHECK = {
    "914403001922038217": "6", "91110108717809965C": "J", "91110000800088421P": "W",
    "9133010057462616XH": "9", "914403001870826678": "0",
}

first17 = st.text(alphabet=uscc.ALPHABET, min_size=2, max_size=2).flatmap(
    lambda head: st.from_regex(r"\A[0-9]{6}\Z").flatmap(
        lambda area: st.text(alphabet=uscc.ALPHABET, min_size=9, max_size=9).map(
            lambda body: head + area + body
        )
    )
)


@pytest.mark.parametrize("code", REAL)
def test_published_codes_are_valid(code):
    assert uscc.problem(code) is None


@pytest.mark.parametrize("code,expected", WRONG_CHECK.items())
def test_wrong_check_characters_name_the_right_one(code, expected):
    assert uscc.problem(code) == f"校验位错误：第18位应为“{expected}”，实际为“{code[-1]}”"


@pytest.mark.parametrize(
    "code,reason",
    [
        ("91440300192203821", "长度应为18位，实际为17位"),
        ("9144030019220382166", "长度应为18位，实际为19位"),
        ("", "长度应为18位，实际为0位"),
        ("91440300I92203821X", "第9位“I”不允许使用"),
        ("914403001922038S16", "第16位“S”不允许使用"),
        ("91440300192203821a", "第18位“a”不是数字或大写字母"),
        ("9144030019220382-6", "第17位“-”不是数字或大写字母"),
        ("91A40300192203821X", "第3-8位应为6位数字"),
    ],
)
def test_malformed_codes_say_why(code, reason):
    assert reason in uscc.problem(code)


@given(first17)
def test_a_made_code_is_valid(body):
    assert uscc.is_valid(uscc.make(body))


@given(first17, st.sampled_from(uscc.ALPHABET))
def test_any_other_check_character_is_invalid(body, char):
    code = body + char
    assert uscc.is_valid(code) == (char == uscc.check_character(body))


@given(first17, st.integers(0, 16), st.sampled_from(uscc.ALPHABET))
def test_changing_one_character_is_always_caught(body, position, char):
    # The weights are invertible modulo the prime 31, so any single substitution changes the sum.
    code = uscc.make(body)
    if code[position] == char or (2 <= position <= 7 and not char.isdigit()):
        return
    changed = code[:position] + char + code[position + 1 :]
    assert not uscc.is_valid(changed)


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text):
    result = uscc.problem(text)
    assert result is None or isinstance(result, str)


def test_the_cli_prints_each_code_and_exits_0_when_all_are_valid(capsys):
    call_command("uscc", *REAL[:2])
    assert capsys.readouterr().out.splitlines() == [f"{REAL[0]} valid", f"{REAL[1]} valid"]


def test_the_cli_exits_1_when_any_code_is_invalid(capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("uscc", REAL[0], "914403001922038217")
    assert exit_info.value.code == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{REAL[0]} valid"
    assert lines[1].startswith("914403001922038217 invalid: 校验位错误")
