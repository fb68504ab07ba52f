"""Scores are written by printf with the locale's signs: the same text as Babel's
format_decimal of the float's exact value (what the pages wrote before), in both languages, for
ties, negative zero and thousands of values; a ranking page writes 3 000 of them."""

from __future__ import annotations

import random

import pytest
from flask_babel import force_locale

from nominations.formatting import babel_score, format_score

FORMATS = ("%.2f", "%+.3f", "%.0f", "%+.1f")
EDGES = [0.0, -0.0, 0.005, 0.015, 0.025, 2.675, 1.005, -0.0005, 1e-9, -1e-9, 6.999999, 0.125]


@pytest.mark.parametrize("language", ["en", "nb"])
def test_scores_read_as_babel_writes_them(app, language):
    rng = random.Random(16)
    values = EDGES + [rng.uniform(-10, 10) for _ in range(3000)]
    values += [k / 1000 + 0.0005 for k in range(-2000, 2000)]  # ties at the third decimal
    with app.test_request_context("/"), force_locale(language):
        differ = [
            (value, fmt)
            for value in values
            for fmt in FORMATS
            if format_score(value, fmt) != babel_score(value, fmt)
        ]
        assert differ == []
        written = format_score(-1.5, "%+.3f"), format_score(4.25)
    assert written == {"en": ("-1.500", "4.25"), "nb": ("-1,500", "4,25")}[language]


def test_an_unknown_format_is_refused(app):
    with app.test_request_context("/"), pytest.raises(ValueError):
        format_score(1.0, "%d")
