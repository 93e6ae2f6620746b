"""QR codes (segno, error correction "m"): inline SVG for pages and PDFs, PNG bytes for e-mail.

Options go to segno unchanged (`scale`, `border`, `title`, `dark`, `light`), so each caller keeps its look.
"""

MASK = 0  # a fixed mask: segno otherwise scores all eight, which is most of a QR code's cost


def qr_svg(data: str, **options) -> str:
    """An inline SVG QR code; give it a `title` so screen readers can name it."""
    import segno

    return segno.make(data, error="m", mask=MASK).svg_inline(**options)


def qr_png(data: str, **options) -> bytes:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(data, error="m", mask=MASK).save(buffer, kind="png", **options)
    return buffer.getvalue()
