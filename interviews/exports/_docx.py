"""Helpers for the python-docx writers."""

import re

# Characters XML 1.0 cannot hold; python-docx raises ValueError on them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Return `text` without the characters a .docx cannot store."""
    return _NOT_XML.sub("", text)
