"""The coded transcript writers: Word comments and HTML highlights."""

import io
from datetime import UTC, datetime
from html.parser import HTMLParser

import docx

from interviews.exports import transcript_docx, transcript_html
from interviews.exports.documents import CodedTranscript, Mark, split_at_marks

EVIL = "<script>alert(1)</script>"
TEXT = (
    "INTERVIEWER: What stands in the way?\n"
    f"Expert 1: Money {EVIL} 🙂 and law.\n"
    "\n"
    "Expert 1: Nothing else."
)


def _mark(number, part, code, coder="carl", memo="", colour="#e15759", nth=0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return Mark(number, start, start + len(part), code, colour, coder, memo)


MARKS = [
    # Across a line break, overlapping the next one.
    _mark(1, "way?\nExpert 1: Money", "Barriers", coder="olga", memo=f"Memo {EVIL}"),
    _mark(2, f"Money {EVIL} 🙂", f"Barriers/{EVIL}", colour="#4e79a7"),
    _mark(3, "law.", "Legal", colour="not-a-colour"),
]
DOC = CodedTranscript(
    project="Eurasian & co",
    title=f"Interview {EVIL}",
    text=TEXT,
    attributes=[("country", "Беларусь"), ("role", EVIL)],
    marks=MARKS,
    generated=datetime(2024, 5, 1, 14, 3, tzinfo=UTC),
)


def test_pieces_tile_the_text_with_their_marks():
    pieces = split_at_marks(TEXT, MARKS)

    assert "".join(TEXT[a:b] for a, b, _ in pieces) == TEXT
    covered = {TEXT[a:b]: [m.number for m in marks] for a, b, marks in pieces}
    assert covered["Money"] == [1, 2]
    assert covered["law."] == [3]


def _docx(doc: CodedTranscript) -> docx.document.Document:
    buffer = io.BytesIO()
    transcript_docx.write(doc, buffer)
    return docx.Document(io.BytesIO(buffer.getvalue()))


def test_word_export_has_the_text_one_paragraph_per_line():
    document = _docx(DOC)

    texts = [p.text for p in document.paragraphs]
    start = texts.index("Transcript") + 1
    assert texts[start : start + 4] == TEXT.split("\n")
    assert texts[0] == f"Interview {EVIL}"
    assert "country: Беларусь" in texts


def test_word_export_puts_each_coding_in_a_margin_comment():
    document = _docx(DOC)

    comments = {c.text: (c.author, c.initials) for c in document.comments}
    assert comments == {
        f"1. Barriers\nMemo: Memo {EVIL}": ("olga", "OL"),
        f"2. Barriers/{EVIL}": ("carl", "CA"),
        "3. Legal": ("carl", "CA"),
    }


def test_word_comments_are_anchored_on_exactly_the_coded_text():
    document = _docx(DOC)
    body = document.element.body
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    anchored = {}
    for comment in document.comments:
        cid = str(comment.comment_id)
        start = body.find(f".//w:commentRangeStart[@w:id='{cid}']", ns)
        end = body.find(f".//w:commentRangeEnd[@w:id='{cid}']", ns)
        collecting, parts = False, []
        for element in body.iter():
            if element is start:
                collecting = True
            elif element is end:
                break
            elif collecting and element.tag == f"{{{ns['w']}}}t":
                parts.append(element.text or "")
            elif collecting and element.tag == f"{{{ns['w']}}}p" and parts:
                parts.append("\n")
        anchored[comment.text.split("\n")[0]] = "".join(parts)

    assert anchored == {
        "1. Barriers": "way?\nExpert 1: Money",
        f"2. Barriers/{EVIL}": f"Money {EVIL} 🙂",
        "3. Legal": "law.",
    }


def test_word_export_lists_the_codings_in_a_table():
    table = _docx(DOC).tables[-1]

    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["#", "Code", "Coder", "Coded text and memo"]
    assert rows[1] == ["1", "Barriers", "olga",
                       f"“way?\nExpert 1: Money”\nMemo: Memo {EVIL}"]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.in_text = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if ("class", "text") in attrs:
            self.in_text = 1
        elif self.in_text:
            self.in_text += 1

    def handle_endtag(self, tag):
        if self.in_text:
            self.in_text -= 1

    def handle_data(self, data):
        if self.in_text:
            self.text.append(data)


def test_html_export_escapes_everything_and_has_no_script():
    page = transcript_html.render(DOC)

    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    collected = _Collect()
    collected.feed(page)
    assert "script" not in collected.tags
    assert "not-a-colour" not in page and "#888888" in page


def test_html_export_labels_each_coding_where_it_starts_and_ends():
    page = transcript_html.render(DOC)

    assert (
        '<span class="tag" style="border-color: #e15759">1 · Barriers</span>'
        '<mark style="background: #e1575940">way?\nExpert 1: </mark>'
    ) in page
    # "Money" is under both: the inner coding's colour, the outer underlined.
    assert (
        '<mark style="background: #4e79a740; box-shadow: inset 0 -2px 0 #e15759">'
        "Money</mark>"
    ) in page
    assert '<span class="end" style="color: #e15759">/1</span>' in page


def test_html_export_keeps_the_whole_text_in_order():
    collected = _Collect()
    collected.feed(transcript_html.render(DOC))

    shown = "".join(collected.text)
    for label in ["1 · Barriers", f"2 · Barriers/{EVIL}", "3 · Legal", "/1", "/2",
                  "/3"]:  # fmt: skip
        shown = shown.replace(label, "", 1)
    assert shown == TEXT


def test_html_export_without_codings_says_so():
    empty = CodedTranscript(project="P", title="T", text="Plain.", attributes=[],
                            marks=[], generated=DOC.generated)  # fmt: skip

    page = transcript_html.render(empty)

    assert "No codings." in page and "Plain." in page
