"""The product's own stylesheets parse as written: a brace lost in a merge once nested the whole phone
layout inside another rule, and every table was wider than a phone again (issue 16)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static" / "css"


def _depths(css: str):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    depth = 0
    for index, char in enumerate(css):
        if char == "{":
            if re.search(r"@media[^{};]*$", css[:index]):
                yield css[max(0, index - 60) : index].strip(), depth
            depth += 1
        elif char == "}":
            depth -= 1
            assert depth >= 0, f"an unmatched }} near: {css[max(0, index - 60) : index]!r}"
    assert depth == 0, "a rule is never closed"


@pytest.mark.parametrize("name", ["app.css", "print.css"])
def test_every_rule_is_closed_and_media_queries_are_at_the_top_level(name):
    for selector, depth in _depths((STATIC / name).read_text()):
        assert depth == 0, f"{name}: {selector!r} sits inside another rule"
