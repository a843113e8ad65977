"""The bytes a passport's signature covers are what any JSON library rebuilds from the facts:
keys sorted, no spaces, UTF-8 (Python's ``json.dumps`` with those options, as a buyer's tool)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.passports.signing import canonical

# JSON as the facts hold it: text (any character, Chinese, controls, U+2028, quotes), whole
# numbers, booleans, null, nested objects and lists.
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=100, derandomize=True, database=None)
@given(st.dictionaries(st.text(max_size=8), values, max_size=6))
def test_canonical_bytes_equal_what_a_buyers_json_library_makes(facts: dict[str, Any]) -> None:
    expected = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert canonical(facts) == expected
