"""Hostile values a real export holds: every kind of Unicode, quoting, numbers and dates in odd
formats. Shared by the CSV, SQL and sandbox suites."""

from __future__ import annotations

from hypothesis import strategies as st

# Characters that have broken readers, databases and terminals somewhere.
NASTY = ["\u200f", "\u200e", "\u202e", "\u200b", "\u200d", "\ufeff", "\u0301", "\u0308", "🚧", "👩‍🔧",
         "\x00", "\x1b", "\x7f", "\u00a0", "\u2028", "\u2029", "\r", "\n", "\r\n", "\t", '"', "'", ",",
         ";", "|", "\\", ":", "&", "<", ">", "=", "+", "-", "@", "ß", "İ", "Σ", "٨", "８", "𝟠", "\ud7ff"]
# No lone surrogates: no UTF-8 file or database text can hold one.
TEXT_CHARS = st.characters(blacklist_categories=("Cs",))
text = st.one_of(
    st.text(TEXT_CHARS, max_size=30),
    st.lists(st.sampled_from(NASTY) | st.text(TEXT_CHARS, max_size=4), max_size=8).map("".join),
    st.sampled_from(["", " ", "  Acme  ", "O'Brien", 'say "hi"', "=1+2", "NULL", "None", "nan", "N/A"]),
)
long_text = st.integers(min_value=200, max_value=20_000).map(lambda n: "x" * n)

NUMBERISH = ["8", "7.5", " 8 ", "-0", "0", "-2", ".5", "8.", "1,234.50", "1e3", "1E-2", "NaN", "nan", "inf",
             "-inf", "+8", "0x10", "٨", "８", "𝟠", "8\u200b", "\u200f8", "1_000", "25", "24.0001", "24", "",
             "  ", "--1", "8 h", "½", "Ⅷ", "00008", "1.2.3"]
number = st.one_of(
    st.sampled_from(NUMBERISH),
    st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    text,
)
DATEISH = ["2026-11-22", "2026-11-21", "2026-02-29", "2024-02-29", "2026-13-01", "2026-11-31", "11/22/2026",
           "22.11.2026", "2026-11-22T00:00:00", "2026-11-22 ", " 2026-11-22", "20261122", "2026-1-2",
           "0000-01-01", "9999-12-31", "２０２６-１１-２２", "2026\u200b-11-22", "", "yesterday"]
date = st.one_of(st.sampled_from(DATEISH), st.dates().map(lambda d: d.isoformat()), text)
