"""The CHI modulus-11 check, summed in C, gives the verdict of the plain weighted sum."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from spec.identifiers import _mod11_ok


def _plain_mod11_ok(chi: str) -> bool:
    total = sum(int(d) * w for d, w in zip(chi[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(chi[9])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_mod11_equals_the_plain_weighted_sum(chi: str) -> None:
    assert _mod11_ok(chi) == _plain_mod11_ok(chi)


def test_mod11_knows_a_valid_and_an_invalid_chi() -> None:
    assert _mod11_ok("0101400004")
    assert not _mod11_ok("0101400005")
