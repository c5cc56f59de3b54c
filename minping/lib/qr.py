"""QR codes drawn into PDFs (segno's matrix as filled squares), on a canvas or as a flowable in a story."""

import segno
from reportlab.graphics.shapes import Drawing, Rect


def qr_drawing(text: str, size: float) -> Drawing:
    """A `size`-point square QR code of `text` (error correction M), with no quiet zone of its own."""
    matrix = segno.make(text, error="m").matrix
    cell = size / len(matrix)
    drawing = Drawing(size, size)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                drawing.add(Rect(col * cell, size - (row + 1) * cell, cell, cell, strokeColor=None, fillColor="black"))
    return drawing


def draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of `text` on `canvas` with its lower left corner at (x, y)."""
    from reportlab.graphics import renderPDF

    renderPDF.draw(qr_drawing(text, size), canvas, x, y)
