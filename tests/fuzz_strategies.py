"""Hypothesis strategies for hostile form input: odd text, wrong types and files."""

from dataclasses import dataclass, field
from io import BytesIO

from hypothesis import strategies as st

# What browsers seldom send but clients can: controls and NUL, bidi and zero-width
# marks, a joined emoji, combining accents, case-folding traps and noncharacters.
ODD_CHARACTERS = (
    "\x00\x01\x07\x08\t\n\r\x0b\x0c\x1b\x7f\x85\xa0"
    "\u200b\u200d\u200e\u200f\u202a\u202e\u2028\u2029\u2066\u2069"
    "\ufeff\ufffd\ufffe\uffff\U0010ffff\U0001f477\ufe0f\u0301\u0308"
    "ß\u0130\u0131\ufb03\u05d0\u0627"
)
# Surrogates cannot be encoded as UTF-8, so no client can send them.
characters = st.one_of(
    st.characters(exclude_categories=["Cs"]), st.sampled_from(ODD_CHARACTERS)
)
odd_text = st.text(characters, max_size=40)

# Text where a number, a date, a time, a choice or a list is expected.
WRONG_TYPES = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "-0",
    "1.5",
    "1e309",
    "NaN",
    "-inf",
    "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    "0x10",
    "٣",
    "0000-00-00",
    "99999-12-31",
    "2024-02-30",
    "2024-13-01",
    "0001-01-01",
    "24:00",
    "25:61",
    "12:00:00.000000001",
    "[]",
    "{}",
    "null",
    "true",
    "on",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ 7 * 7 }}",
    "%(name)s",
    "javascript:alert(1)",
]
# Kept out of WRONG_TYPES while web_address fails on it (tests/test_fuzz_forms.py).
UNCLOSED_IPV6_HOST = "http://[::1"


def repeat_to(piece: str, length: int) -> str:
    return (piece * (length // len(piece) + 1))[:length]


# Built by repetition: generating 100,000 characters one by one would be slow.
long_text = st.builds(
    repeat_to, st.text(characters, min_size=1, max_size=6), st.integers(10_000, 100_000)
)
numbers = st.one_of(st.integers(), st.floats()).map(str)
dates = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.builds(
        "{:04d}-{:02d}-{:02d}".format,
        st.integers(0, 99_999),
        st.integers(0, 99),
        st.integers(0, 99),
    ),
)
# One value in about twenty is long: a page that echoes 100,000 characters is slow.
text_values = st.integers(0, 19).flatmap(
    lambda share: (
        long_text
        if share == 0
        else st.one_of(odd_text, st.sampled_from(WRONG_TYPES), numbers, dates)
    )
)
FILE_NAMES = ["foto.png", "werk.pdf", "skills_nl.csv", "../../x.csv", "a" * 300]
CONTENT_TYPES = ["image/png", "application/pdf", "text/csv", "text/html", "x/y"]


def upload(content: bytes, name: str, content_type: str) -> tuple:
    return (BytesIO(content), name, content_type)


uploads = st.builds(
    upload,
    st.one_of(st.binary(max_size=4000), text_values.map(str.encode)),
    st.one_of(st.sampled_from(FILE_NAMES), st.text(characters, min_size=1)),
    st.sampled_from(CONTENT_TYPES),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text_values),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(odd_text, inner, max_size=3)
    ),
    max_leaves=8,
)


@dataclass
class Body:
    """One generated request: form pairs, or a JSON document instead of a form."""

    pairs: list[tuple[str, object]] = field(default_factory=list)
    json: object = None
    is_json: bool = False


# A line break in a multipart name leaves the part without one: see nameless_parts.
field_names = odd_text.map(lambda name: name.replace("\r", "").replace("\n", ""))


@st.composite
def form_bodies(draw, fields, plausible, files=()):
    """Return the plausible body with fields changed, dropped, repeated or added."""
    pairs = []
    for name in fields:
        kept = plausible.get(name)
        action = draw(st.sampled_from(["keep", "change", "change", "drop", "repeat"]))
        if action == "keep" and kept is not None:
            pairs.extend((name, item) for item in listed(kept))
        elif action == "change":
            pairs.append((name, draw(uploads if name in files else text_values)))
        elif action == "repeat":
            repeated = draw(st.lists(text_values, max_size=4))
            pairs.extend((name, item) for item in repeated)
    pairs.extend(draw(st.lists(st.tuples(field_names, text_values), max_size=3)))
    return Body(pairs=pairs)


@st.composite
def files_in_text_fields(draw, fields):
    """Return bodies that send an upload under the name of a text field."""
    names = st.sampled_from(fields) if fields else field_names
    pairs = draw(st.lists(st.tuples(names, uploads), min_size=1, max_size=3))
    return Body(pairs=pairs)


@st.composite
def nameless_parts(draw, fields):
    """Return multipart bodies with a part whose name is cut off by a line break."""
    broken = draw(st.tuples(odd_text, st.sampled_from("\r\n"), odd_text))
    pairs = [("".join(broken), draw(text_values)), ("upload", draw(uploads))]
    if fields:
        pairs.append((draw(st.sampled_from(fields)), draw(text_values)))
    return Body(pairs=pairs)


def json_bodies(fields):
    """Return JSON documents sent where a form is expected, objects or not."""
    documents = json_values
    if fields:
        objects = st.dictionaries(st.sampled_from(fields), json_values)
        documents = st.one_of(objects, json_values)
    return documents.map(lambda document: Body(json=document, is_json=True))


def listed(value) -> list:
    return value if isinstance(value, list) else [value]


# Query strings as typed by hand: stray percent signs, bad escapes, empty names.
raw_queries = st.text(st.sampled_from("abcpqr=&%;+?#09FfZz\\ "), max_size=60).map(
    lambda text: text.replace("#", "%23")
)
