"""What may be uploaded and under what name: the allow-list, magic bytes, size, hostile file names."""

import pytest

from resources import files
from tests.resources.factories import JPEG, PNG, docx_bytes, odt_bytes, pdf_bytes, pptx_bytes, upload, zipped


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("slides.pdf", pdf_bytes()),
        ("deck.pptx", pptx_bytes()),
        ("notes.docx", docx_bytes()),
        ("notes.odt", odt_bytes()),
        ("sums.xlsx", zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})),
        ("deck.odp", zipped({"mimetype": b"application/vnd.oasis.opendocument.presentation"})),
        ("photo.png", PNG),
        ("photo.JPG", JPEG),
        ("photo.jpeg", JPEG),
    ],
)
def test_allowed_files_that_are_what_their_names_say_are_taken(name, content):
    assert files.file_problem(upload(name, content), name) is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.html", b"<script>alert(1)</script>", files.FILE_TYPE.format(allowed=files.ALLOWED)),
        ("tool.exe", b"MZ\x90\x00", files.FILE_TYPE.format(allowed=files.ALLOWED)),
        ("image.svg", b"<svg onload=alert(1)>", files.FILE_TYPE.format(allowed=files.ALLOWED)),
        ("no-extension", pdf_bytes(), files.FILE_TYPE.format(allowed=files.ALLOWED)),
        ("slides.pdf", b"<html><script>alert(1)</script>", files.FILE_MISMATCH.format(label="PDF")),
        ("photo.png", JPEG, files.FILE_MISMATCH.format(label="PNG image")),
        ("deck.pptx", docx_bytes(), files.FILE_MISMATCH.format(label="PowerPoint presentation")),
        ("deck.pptx", b"PK\x03\x04 not really a zip", files.FILE_MISMATCH.format(label="PowerPoint presentation")),
        ("notes.odt", zipped({"mimetype": b"text/html"}), files.FILE_MISMATCH.format(label="OpenDocument text")),
        ("empty.pdf", b"", files.FILE_EMPTY),
    ],
)
def test_other_files_and_disguised_ones_are_refused(name, content, message):
    assert files.file_problem(upload(name, content), name) == message


def test_a_file_over_the_limit_is_refused_without_reading_it(settings):
    settings.RESOURCE_MAX_UPLOAD_MB = 1
    exactly = upload("big.pdf", b"%PDF-" + b"0" * (2**20 - 5))
    assert files.file_problem(exactly, "big.pdf") is None
    over = upload("big.pdf", b"%PDF-" + b"0" * (2**20 - 4))
    assert files.file_problem(over, "big.pdf") == files.FILE_TOO_BIG.format(limit=1)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("slides.pdf", "slides.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\evil.PDF", "evil.pdf"),
        ("nul\x00byte.pdf", "nul byte.pdf"),
        ("line\r\nbreak.pdf", "line break.pdf"),
        ('quote"and;semi.pdf', "quote_and;semi.pdf"),
        ("\u202egnp.pdf", "gnp.pdf"),  # a right-to-left override (a fake extension) is dropped
        ("Präsentation über Kinder.pdf", "Präsentation über Kinder.pdf"),
        ("..pdf", "pdf"),  # no name left but the extension: refused as a type
        ("...", "resource"),
        ("", "resource"),
        (".hidden.pdf", "hidden.pdf"),
    ],
)
def test_file_names_are_made_safe(given, safe):
    assert files.safe_filename(given) == safe


def test_a_very_long_name_is_cut_and_keeps_its_extension():
    safe = files.safe_filename("é" * 500 + ".pdf")
    assert len(safe) == files.FILENAME_MAX and safe.endswith("é.pdf")
