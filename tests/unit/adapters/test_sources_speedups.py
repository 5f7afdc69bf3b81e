"""The source adapters' speed-ups change no line and no problem.

Line ids are formatted without a UUID object, and dates and pounds are remembered once read;
each must give exactly what the plain computation gives, and bad input must still be
refused every time it is met (SDS-SRC-002, SDS-SRC-005, SDS-SRC-006).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.sources.amounts import AmountError, pence_from_pounds
from adapters.sources.provenance import line_id
from adapters.sources.uk_dates import DateError, parse_date, parse_iso_date, parse_uk_date


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=40))
def test_line_ids_are_the_uuid4_of_the_digest(source_sha256: str, locator: str) -> None:
    digest = hashlib.sha256(f"{source_sha256}\n{locator}".encode()).digest()
    assert line_id(source_sha256, locator) == str(uuid.UUID(bytes=digest[:16], version=4))


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1000, 1, 1)), st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"]))
def test_remembered_dates_equal_fresh_ones(when: date, form: str) -> None:
    text = when.strftime(form)
    for _ in range(2):
        assert parse_date(text, form) == parse_date.__wrapped__(text, form) == when


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**12), st.booleans())
def test_remembered_pounds_equal_fresh_ones(pence: int, negative: bool) -> None:
    text = f"{'-' if negative else ''}£{pence // 100:,}.{pence % 100:02d}"
    for _ in range(2):
        assert pence_from_pounds(text, allow_negative=True) == (-pence if negative else pence)
        assert pence_from_pounds(text, allow_negative=True) == pence_from_pounds.__wrapped__(
            text, allow_negative=True
        )


def test_refused_text_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(DateError):
            parse_uk_date("31/02/2026")
        with pytest.raises(DateError):
            parse_iso_date("2026-13-01")
        with pytest.raises(AmountError):
            pence_from_pounds("£1.234")
        with pytest.raises(AmountError):
            pence_from_pounds("-£5.00")
