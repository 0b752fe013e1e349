"""Roll PDF pages → 1-bit images at the thermal printer's dot width (203 dpi)."""

from __future__ import annotations

from printing import labels
from printing.papers import MM, PRINTER_DPI

THRESHOLD = 160  # grey levels darker than this print as a dot (keeps thin strokes)


def pdf_to_images(pdf: bytes, dots: int):
    """One image ``dots`` wide per page, and warnings.

    A roll page (as wide as the paper) is rendered at 203 dpi and its margins are
    cropped to the printable dots; any other page is scaled down to fit.
    """
    import pypdfium2 as pdfium
    from PIL import Image

    warnings: list[str] = []
    images = []
    doc = pdfium.PdfDocument(pdf)
    try:
        for page in doc:
            width_pt = page.get_width()
            printable = dots * 72 / PRINTER_DPI
            is_roll = width_pt <= 82 * MM and width_pt >= printable - 1
            scale = PRINTER_DPI / 72 if is_roll else dots / width_pt
            if not is_roll and labels.W_A4_ON_ROLL not in warnings:
                warnings.append(labels.W_A4_ON_ROLL)
            gray = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            if gray.width > dots:
                left = (gray.width - dots) // 2
                gray = gray.crop((left, 0, left + dots, gray.height))
            elif gray.width < dots:
                canvas = Image.new("L", (dots, gray.height), 255)
                canvas.paste(gray, ((dots - gray.width) // 2, 0))
                gray = canvas
            images.append(gray.point(lambda v: 255 if v >= THRESHOLD else 0).convert("1"))
    finally:
        doc.close()
    return images, warnings
