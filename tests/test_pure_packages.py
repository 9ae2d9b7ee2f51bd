"""The pure packages must not import Django or the models (STYLE.md).

They are read with `ast`, so an import inside a function counts too, and a
package that is half-written (or does not exist yet) is still checked as far
as it goes. A second test imports the text and format modules for real, each
first in a fresh interpreter, to catch Django arriving through a dependency
and import cycles between interviews.text and interviews.formats.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE_PACKAGES = ("text", "formats", "analysis", "nlp", "suggest", "exports")
FORBIDDEN = ("django", "interviews.models")


def imported_modules(source: str, package: str) -> set[str]:
    """Return every module `source` imports, relative imports resolved.

    `package` is the dotted package the source lives in. For `from x import
    y` both `x` and `x.y` are returned, since `y` may be a module.
    """
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(source: str, package: str) -> list[str]:
    return sorted(
        module
        for module in imported_modules(source, package)
        if any(module == name or module.startswith(name + ".") for name in FORBIDDEN)
    )


def _pure_files() -> list[Path]:
    files = []
    for package in PURE_PACKAGES:
        files.extend(sorted((ROOT / "interviews" / package).rglob("*.py")))
    return files


def _package_of(path: Path) -> str:
    return ".".join(path.parent.relative_to(ROOT).parts)


@pytest.mark.parametrize(
    ("source", "package", "expected"),
    [
        ("import django", "interviews.text", ["django"]),
        ("import django.db.models as m", "interviews.text", ["django.db.models"]),
        (
            "from django.db import transaction",
            "interviews.formats",
            ["django.db", "django.db.transaction"],
        ),
        (
            "from interviews.models import Transcript",
            "interviews.text",
            ["interviews.models", "interviews.models.Transcript"],
        ),
        ("from interviews import models", "interviews.text", ["interviews.models"]),
        (
            "from ..models import Transcript",
            "interviews.formats",
            ["interviews.models", "interviews.models.Transcript"],
        ),
        ("from .. import models", "interviews.analysis", ["interviews.models"]),
        ("def f():\n    import django\n", "interviews.nlp", ["django"]),
        ("import djangoish, modelsx", "interviews.text", []),
        ("from . import models", "interviews.formats", []),
        ("from interviews.formats import ImportRefused", "interviews.text", []),
    ],
)
def test_the_checker_finds_django_and_model_imports(source, package, expected):
    assert forbidden_imports(source, package) == expected


def test_the_checker_sees_the_packages_it_guards():
    names = {path.relative_to(ROOT).as_posix() for path in _pure_files()}
    assert "interviews/text/speakers.py" in names
    assert "interviews/formats/docx.py" in names


@pytest.mark.parametrize(
    "path", _pure_files(), ids=lambda path: path.relative_to(ROOT).as_posix()
)
def test_pure_modules_do_not_import_django_or_the_models(path):
    source = path.read_text(encoding="utf-8")
    assert forbidden_imports(source, _package_of(path)) == []


RUNTIME_MODULES = [
    "interviews.text.normalize",
    "interviews.text.encoding",
    "interviews.text.speakers",
    "interviews.text.offsets",
    "interviews.formats",
    "interviews.formats.txt",
    "interviews.formats.docx",
    "interviews.formats.md",
    "interviews.formats.odt",
    "interviews.formats.rtf",
    "interviews.formats.html",
    "interviews.formats.pdf",
    "interviews.formats.srt",
    "interviews.formats.vtt",
    "interviews.formats.csv_table",
    "interviews.formats.codebook_csv",
    "interviews.exports.codebook_report_docx",
    "interviews.exports.transcript_html",
]


@pytest.mark.parametrize("module", RUNTIME_MODULES)
def test_importing_a_pure_module_first_loads_no_django(module):
    code = (
        "import sys\n"
        f"import {module}\n"
        "import interviews.formats\n"
        "assert interviews.formats.parse_upload\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django')\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
