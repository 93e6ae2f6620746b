"""Uploaded files: what may be uploaded, under what name, and how a download is sent.

Only the types in `TYPES` are taken, and a file must be what its extension says: its first bytes (and,
for the zipped office formats, its table of contents) are checked, so `evil.html` renamed `slides.pdf` is
refused. The Content-Type sent back comes from this table, never from the uploader. Images open in the
browser; everything else downloads (`Content-Disposition: attachment`), with `X-Content-Type-Options:
nosniff` either way.
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.http import FileResponse

FILE_TOO_BIG = "The file is too big: at most {limit} MB."
FILE_TYPE = "This type of file is not accepted. Upload a PDF, slides, a document or an image ({allowed})."
FILE_MISMATCH = "The file is not the {label} its name says it is."
FILE_EMPTY = "The file is empty."
FILENAME_MAX = 120


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    magic: tuple[bytes, ...]
    # Zipped formats: a member the archive must have (OOXML), or the ODF `mimetype` member's content.
    zip_member: str = ""
    odf_mimetype: str = ""
    inline: bool = False


_ZIP = (b"PK\x03\x04",)
_ODF = "application/vnd.oasis.opendocument."
TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", (b"%PDF-",)),
    "pptx": FileType(
        "PowerPoint presentation",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ZIP,
        zip_member="ppt/presentation.xml",
    ),
    "docx": FileType(
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
        zip_member="word/document.xml",
    ),
    "xlsx": FileType(
        "Excel workbook",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ZIP,
        zip_member="xl/workbook.xml",
    ),
    "odp": FileType("OpenDocument presentation", _ODF + "presentation", _ZIP, odf_mimetype=_ODF + "presentation"),
    "odt": FileType("OpenDocument text", _ODF + "text", _ZIP, odf_mimetype=_ODF + "text"),
    "png": FileType("PNG image", "image/png", (b"\x89PNG\r\n\x1a\n",), inline=True),
    "jpg": FileType("JPEG image", "image/jpeg", (b"\xff\xd8\xff",), inline=True),
    "jpeg": FileType("JPEG image", "image/jpeg", (b"\xff\xd8\xff",), inline=True),
}
ALLOWED = ", ".join(sorted(TYPES))
ACCEPT = ",".join(f".{extension}" for extension in TYPES)  # the file input's accept attribute

_UNSAFE = re.compile(r'[\\/:*?"<>|]+')
_SPACES = re.compile(r"\s+")


def max_bytes() -> int:
    return settings.RESOURCE_MAX_UPLOAD_MB * 1024 * 1024


def safe_filename(name: str) -> str:
    """The uploaded name, fit to store and to send back: no folders (`../`), no control or format
    characters (NUL, newlines, bidi overrides), no characters file systems refuse, not starting with a
    dot, at most FILENAME_MAX characters with its extension kept. Unicode letters stay (NFC)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in name)
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension[:10].lower()
    stem = stem.strip(" .") or "resource"
    room = FILENAME_MAX - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "resource"
    return f"{stem}.{extension}" if extension else stem


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def file_problem(upload, filename: str) -> str | None:
    """Why this upload is refused (a message for the `file` field), or None. Reads only the first bytes
    (and a zip's table of contents), whatever the file's size."""
    if upload.size is not None and upload.size > max_bytes():
        return FILE_TOO_BIG.format(limit=settings.RESOURCE_MAX_UPLOAD_MB)
    if not upload.size:
        return FILE_EMPTY
    kind = TYPES.get(extension_of(filename))
    if kind is None:
        return FILE_TYPE.format(allowed=ALLOWED)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in kind.magic):
        return FILE_MISMATCH.format(label=kind.label)
    if (kind.zip_member or kind.odf_mimetype) and not _zip_is(upload, kind):
        return FILE_MISMATCH.format(label=kind.label)
    return None


def _zip_is(upload, kind: FileType) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if kind.zip_member:
                return "[Content_Types].xml" in names and kind.zip_member in names
            if "mimetype" not in names or archive.getinfo("mimetype").file_size > 100:
                return False
            return archive.read("mimetype").decode("ascii", "replace").strip() == kind.odf_mimetype
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return False
    finally:
        upload.seek(0)


def file_type(resource) -> FileType:
    return TYPES[extension_of(resource.file.name)]


def file_response(resource) -> FileResponse:
    """The stored file with the type from TYPES, its safe name (RFC 6266 `filename*` for non-ASCII names,
    which Django writes), inline for images and as an attachment otherwise."""
    kind = file_type(resource)
    response = FileResponse(
        resource.file.open("rb"),
        as_attachment=not kind.inline,
        filename=resource.filename or f"resource.{extension_of(resource.file.name)}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300" if resource.is_public else "private, no-store"
    # A downloaded document never runs in our origin, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
