"""Inline SVG bar charts for the HTML report, built as lxml elements (text escaped by construction).

Horizontal bars suit long labels (rule ids, payer names) and read well in print. Each bar has
a ``<title>`` with the full label and value for a tooltip; long labels are shortened on screen.
"""
from __future__ import annotations

from typing import Sequence

from lxml import etree

from scrubber.report.safe import xml_text

WIDTH = 460
LABEL_W = 190
VALUE_W = 80
BAR_H = 18
GAP = 6
LABEL_CHARS = 22


def bar_chart(chart_id: str, caption: str, rows: Sequence[tuple[str, float, str]], risk: bool = False) -> etree._Element:
    """A <figure> holding an SVG bar chart of ``rows`` = (label, value, value as shown)."""
    figure = etree.Element("figure", {"class": "chart", "id": chart_id})
    etree.SubElement(figure, "figcaption").text = xml_text(caption)
    if not rows:
        etree.SubElement(figure, "p", {"class": "note"}).text = "Nothing to chart."
        return figure
    height = len(rows) * (BAR_H + GAP) + GAP
    svg = etree.SubElement(
        figure, "svg",
        {"xmlns": "http://www.w3.org/2000/svg", "viewBox": f"0 0 {WIDTH} {height}", "width": str(WIDTH),
         "height": str(height), "role": "img", "aria-label": xml_text(caption)},
    )
    top = max((v for _, v, _ in rows), default=0) or 1
    span = WIDTH - LABEL_W - VALUE_W
    for i, (label, value, shown) in enumerate(rows):
        y = GAP + i * (BAR_H + GAP)
        group = etree.SubElement(svg, "g", {"class": "row"})
        etree.SubElement(group, "title").text = xml_text(f"{label}: {shown}")
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "\u2026"
        text = etree.SubElement(group, "text", {"x": str(LABEL_W - 6), "y": str(y + BAR_H - 5), "text-anchor": "end"})
        text.text = xml_text(short)
        width = max(1.0, span * float(value) / float(top)) if value else 0.0
        etree.SubElement(
            group, "rect",
            {"class": "bar risk" if risk else "bar", "x": str(LABEL_W), "y": str(y), "width": f"{width:.1f}",
             "height": str(BAR_H), "rx": "2"},
        )
        val = etree.SubElement(group, "text", {"class": "val", "x": f"{LABEL_W + width + 4:.1f}", "y": str(y + BAR_H - 5)})
        val.text = xml_text(shown)
    return figure
