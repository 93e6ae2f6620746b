"""Files that are what they say (and some that are not), and resources made through the services."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from resources import services
from resources.demo import demo_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32


def pdf_bytes(title: str = "Slides") -> bytes:
    return demo_pdf(title, ["A line"])


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})


def docx_bytes() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})


def odt_bytes() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


def upload(name: str = "slides.pdf", content: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type=content_type)


def file_resource(event, *, by=None, visibility="attendees", title="Slides", name="slides.pdf", content=None):
    return services.resource_add_file(
        event=event, upload=upload(name, content), title=title, by=by, visibility=visibility
    )


def link_resource(event, *, by=None, visibility="public", title="Guide", url="https://example.org/guide"):
    return services.resource_add_link(event=event, url=url, title=title, by=by, visibility=visibility)
