"""Check a zip-based document (.docx, .odt) before a library reads all of it.

python-docx and odfpy read every part of the package into memory, so a small
file that unpacks to gigabytes (a zip bomb) is refused from the sizes in the
zip directory. Python's zipfile never returns more bytes for a member than
that directory declares, so the check cannot be lied to.
"""

import io
import zipfile

from interviews.formats import ImportRefused

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000


def check_archive(
    data: bytes,
    *,
    extension: str,
    required: str,
    kind: str,
    resave: str,
    max_unpacked: int = MAX_UNCOMPRESSED_BYTES,
    max_members: int = MAX_ZIP_MEMBERS,
) -> dict[str, zipfile.ZipInfo]:
    """Return the members of the zip archive `data` by name, or raise ImportRefused.

    Refuse data that is not a zip archive, a damaged archive, one without
    the `required` member (so it is not `kind`, such as "a Word document"),
    and one with more than `max_members` members or unpacking to more than
    `max_unpacked` bytes. `resave` tells the researcher how to repair a
    damaged file.
    """
    if not data.startswith(b"PK"):
        raise ImportRefused(f"The file is not a valid {extension} (not a zip archive).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ImportRefused(
            f"The {extension} file is damaged or incomplete (its zip archive cannot "
            f"be read). {resave}"
        ) from exc
    by_name = {member.filename: member for member in members}
    if required not in by_name:
        raise ImportRefused(
            f"The file is a zip archive but not {kind} (it has no {required})."
        )
    unpacked = sum(member.file_size for member in members)
    if len(members) > max_members or unpacked > max_unpacked:
        raise ImportRefused(
            f"The {extension} file unpacks to more than "
            f"{max_unpacked // (1024 * 1024)} MB, too much to import safely."
        )
    return by_name
