"""Web pages and HTML exports (.html, .htm): the text a browser shows.

The page is first cleaned by nh3 (the Rust html5ever parser and ammonia
sanitiser): it repairs broken markup the way browsers do, drops scripts,
styles, the <title>, <template> and <noscript> with their content, drops
comments, and keeps only the structural tags listed below (their text stays,
inline tags such as <b> or <a> go). The clean result is then walked with the
standard library's HTML parser, which decodes entities.

Block elements (paragraphs, headings, list items, divs...) and <br> end a
line; a table row becomes one line with cells separated by tabs, as in the
.docx importer. Inside a line, runs of spaces and line breaks collapse to
one space as a browser shows them; <pre> keeps its spacing. A no-break space
(&nbsp;) is a character of the text and is kept. List bullets and numbers
are not text, as in the .docx and .odt importers.

The encoding comes from a byte-order mark, then a <meta> charset in the
first 2 KB, then detection (interviews.text.encoding).
"""

import codecs
import re
from html.parser import HTMLParser

import nh3

from interviews.formats import ImportRefused, ParsedTranscript

# Modules, not names: see the note in interviews/formats/__init__.py.
from interviews.text import encoding, normalize, speakers

_BLOCKS = frozenset(
    "address article aside blockquote caption dd details dialog div dl dt"
    " fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr"
    " legend li main nav ol p pre section summary table tbody tfoot thead tr ul".split()
)
_CELLS = frozenset({"td", "th"})
_KEPT_TAGS = _BLOCKS | _CELLS | {"br"}
_DROPPED_WITH_CONTENT = {"script", "style", "title", "template", "noscript"}
_SPACES = re.compile(r"[ \t\n\r\f]+")
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)
# The HTML standard reads these labels as Windows-1252.
_WINDOWS_1252_LABELS = {"latin_1", "iso8859-1", "ascii"}


def parse(data: bytes) -> ParsedTranscript:
    """Return the transcript in the HTML `data`, or raise ImportRefused."""
    page, warnings = _decode(data)
    clean = nh3.clean(
        page,
        tags=set(_KEPT_TAGS),
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes={},
        strip_comments=True,
        link_rel=None,
    )
    reader = _TextReader()
    reader.feed(clean)
    reader.close()
    text = normalize.normalize_text("\n".join(reader.finish()))
    if not text.strip():
        raise ImportRefused("The page contains no text.")
    return ParsedTranscript(
        text=text,
        turns=speakers.detect_turns(text),
        source_format="html",
        warnings=warnings,
    )


def _decode(data: bytes) -> tuple[str, list[str]]:
    """Return the page as text and a warning when it was not UTF-8."""
    match = _META_CHARSET.search(data[:2048])
    if match and not data.startswith((codecs.BOM_UTF8, b"\xff\xfe", b"\xfe\xff")):
        try:
            name = codecs.lookup(match[1].decode("ascii")).name
        except LookupError:
            name = None
        if name in _WINDOWS_1252_LABELS:
            name = "cp1252"
        if name is not None:
            try:
                page = data.decode(name)
            except UnicodeDecodeError:
                pass  # The declaration is wrong: detect instead.
            else:
                if name == "utf-8":
                    return page, []
                return page, [f"Decoded as {encoding.NAMES.get(name, name)}."]
    page, encoding_name = encoding.decode_bytes(data)
    warnings = encoding.decoding_warnings(encoding_name)
    return page, warnings


class _TextReader(HTMLParser):
    """Collect the lines of text of a page that nh3 has cleaned."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.in_pre = 0
        self.cells_in_row = 0

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self._end_line(keep_empty=True)
        elif tag in _CELLS:
            if self.cells_in_row:
                # Spaces between cells are markup layout, not text.
                self.line = ["".join(self.line).rstrip(" "), "\t"]
            self.cells_in_row += 1
        elif tag in _BLOCKS:
            self._end_line()
            if tag == "tr":
                self.cells_in_row = 0
            elif tag == "pre":
                self.in_pre += 1

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._end_line(raw=bool(self.in_pre))
            if tag == "pre":
                self.in_pre = max(0, self.in_pre - 1)

    def handle_data(self, data):
        if self.in_pre:
            first, *rest = data.split("\n")
            self.line.append(first)
            for line in rest:
                self._end_line(keep_empty=True, raw=True)
                self.line.append(line)
        else:
            self.line.append(_SPACES.sub(" ", data))

    def _end_line(self, *, keep_empty: bool = False, raw: bool = False) -> None:
        line = "".join(self.line)
        if not raw:
            # A browser shows no spaces at the edges of a line.
            line = line.strip(" ")
        if line.strip(" \t") or keep_empty:
            self.lines.append(line)
        self.line = []

    def finish(self) -> list[str]:
        self._end_line()
        return self.lines
