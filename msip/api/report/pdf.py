"""The "what is here" report as a PDF (A4, fpdf2), laid out like the HTML print view from the same rows.

Every value is the very text the print view shows (`msip.api.report.html.shown`), so the PDF,
the HTML and the JSON carry the same numbers. The font is DejaVu Sans (Debian's fonts-dejavu-core),
embedded so that Polish diacritics (ą, ć, ę, ł, ń, ó, ś, ź, ż) print on any reader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from msip.api.report.html import T, layout, shown
from msip.core.errors import MsipError

#: Where DejaVu Sans is looked for (regular, bold): Debian's fonts-dejavu-core.
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
PAGE_W_MM = 210
MARGIN_MM = 15
LABEL_W_MM = 80
SOURCE = {"pl": "Źródło: MSIP, {url} (stan na {day})", "en": "Source: MSIP, {url} (as of {day})"}


class ReportFontError(MsipError, FileNotFoundError):
    """The PDF font is missing."""


def font_paths(extra: Path | None = None) -> tuple[Path, Path]:
    """(regular, bold) DejaVu Sans files; ReportFontError naming the package to install if absent."""
    for folder in ((extra,) if extra else ()) + FONT_DIRS:
        paths = tuple(folder / name for name in FONT_FILES)
        if all(p.is_file() for p in paths):
            return paths[0], paths[1]
    raise ReportFontError(
        f"the PDF report needs DejaVu Sans ({', '.join(FONT_FILES)}) in {', '.join(map(str, FONT_DIRS))}; "
        "install the Debian package fonts-dejavu-core")


def render_pdf(report: dict, lang: str = "pl", *, source_url: str = "", font_dir: Path | None = None,
               compress: bool = True) -> bytes:
    """The report in `lang` as PDF bytes (`compress=False` leaves the page streams readable, for checks)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = font_paths(font_dir)
    t = T[lang]
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_compression(compress)
    pdf.set_title(f"{t['title']} — MSIP")
    pdf.set_lang(lang)
    pdf.set_creator("MSIP")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, MARGIN_MM)
    pdf.add_page()
    width = PAGE_W_MM - 2 * MARGIN_MM
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(width, 9, t["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for sec in layout(report, lang):
        if sec.title is not None:
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 11)
            pdf.cell(width, 7, sec.title, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if sec.note:
            pdf.set_font("DejaVu", "", 9)
            pdf.set_text_color(138, 75, 0)
            pdf.multi_cell(width, 5, sec.note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        for rows in sec.tables:
            for label, paths in rows:
                pdf.set_font("DejaVu", "", 9)
                pdf.set_text_color(68, 68, 68)
                wrapped = pdf.multi_cell(LABEL_W_MM, 5, label, dry_run=True, output="LINES")
                lines = len(wrapped) if isinstance(wrapped, list) else 1
                if pdf.will_page_break(5 * lines):
                    pdf.add_page()
                y = pdf.get_y()
                pdf.multi_cell(LABEL_W_MM, 5, label, new_x=XPos.RIGHT, new_y=YPos.TOP)
                label_bottom = y + 5 * lines
                pdf.set_text_color(0, 0, 0)
                pdf.set_xy(MARGIN_MM + LABEL_W_MM, y)
                values = "   ".join(shown(report, p, lang) for p in paths)
                pdf.multi_cell(width - LABEL_W_MM, 5, values, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.set_y(max(pdf.get_y(), label_bottom))
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    pdf.set_text_color(90, 90, 90)
    source = SOURCE[lang].format(url=source_url, day=date.today().isoformat())
    pdf.multi_cell(width, 4, source, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
