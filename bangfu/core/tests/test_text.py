import pytest

from bangfu.core.text import (
    forbidden_characters,
    forbidden_characters_message,
    without_forbidden_characters,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("普通文本 ordinary\ttab\nline\r\n", []),
        ("a\x00b", ["U+0000"]),
        ("a\x0bb\x0b", ["U+000B"]),
        ("x\x7fy\x85", ["U+007F", "U+0085"]),
        ("lone \ud800 surrogate", ["U+D800"]),
    ],
)
def test_forbidden_characters_are_named(text, found):
    assert forbidden_characters(text) == found
    assert (forbidden_characters_message(text) is None) == (not found)


def test_stored_text_is_cleaned_for_output():
    assert without_forbidden_characters("a\x0bb\x00c\td") == "abc\td"
