"""Check REFI-QDA XML against the standard's schemas (copied in schema/).

Used on import (a file that fails is still read, with a warning) and on
every export in the tests. The XML is streamed through lxml with entities,
DTDs and the network switched off; callers have already refused DTDs with
defusedxml before this runs.
"""

import io
import re
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
_NAMESPACE = re.compile(r"\{urn:QDA-XML:[a-z]+:1\.0\}")
_FILES = {"project": "Project.xsd", "codebook": "Codebook.xsd"}


@cache
def schema(kind: str) -> etree.XMLSchema:
    """Return the XSD for "project" or "codebook", loaded once."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / _FILES[kind])))


def schema_errors(open_stream, *, kind: str) -> list[str]:
    """Return the schema's complaints about the XML (empty when valid).

    `open_stream` is a function returning a new binary stream of the XML.
    Validation stops at the first problem, which is all a report needs.
    """
    try:
        with open_stream() as stream:
            for _, element in etree.iterparse(
                stream,
                events=("end",),
                schema=schema(kind),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            ):
                element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        return [_NAMESPACE.sub("", str(exc.msg or exc))]
    return []


def qdpx_errors(file) -> list[str]:
    """Return the schema's complaints about a `.qdpx`'s project.qde, or []."""
    with zipfile.ZipFile(file) as zf:
        return schema_errors(lambda: zf.open("project.qde"), kind="project")


def qdc_errors(data: bytes) -> list[str]:
    """Return the schema's complaints about a `.qdc`, or []."""
    return schema_errors(lambda: io.BytesIO(data), kind="codebook")
