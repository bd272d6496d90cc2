"""Bar charts for the HTML report, built as lxml elements (text escaped by construction).

Each bar is a row: the label in full as HTML text (a rule's id *and* title, a payer's name and
id), which wraps on a narrow screen or on paper instead of being cut, then a small inline SVG
bar scaled to the largest value and the value as text. Nothing depends on script or on
``style`` attributes (the page's Content-Security-Policy allows neither), so the charts read
the same without JavaScript and in print, and fit a 400 px wide screen.
"""
from __future__ import annotations

from typing import Sequence

from lxml import etree

from scrubber.report.safe import xml_text


def bar_chart(chart_id: str, caption: str, rows: Sequence[tuple[str, float, str]], risk: bool = False) -> etree._Element:
    """A <figure> charting ``rows`` = (label, value, value as shown), largest bar = full width."""
    figure = etree.Element("figure", {"class": "chart", "id": chart_id})
    etree.SubElement(figure, "figcaption").text = xml_text(caption)
    if not rows:
        etree.SubElement(figure, "p", {"class": "note"}).text = "Nothing to chart."
        return figure
    top = max((float(v) for _, v, _ in rows), default=0) or 1.0
    bars = etree.SubElement(figure, "div", {"class": "bars", "role": "list"})
    for label, value, shown in rows:
        row = etree.SubElement(bars, "div", {"class": "bar-row", "role": "listitem"})
        etree.SubElement(row, "div", {"class": "bar-label"}).text = xml_text(label)
        track = etree.SubElement(row, "div", {"class": "bar-track"})
        svg = etree.SubElement(track, "svg", {"xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 100 10",
                                              "preserveAspectRatio": "none", "aria-hidden": "true", "focusable": "false"})
        etree.SubElement(svg, "title").text = xml_text(f"{label}: {shown}")
        width = max(1.0, 100.0 * float(value) / top) if value else 0.0
        etree.SubElement(svg, "rect", {"class": "bar risk" if risk else "bar", "x": "0", "y": "0",
                                       "width": f"{width:.1f}", "height": "10"})
        etree.SubElement(track, "span", {"class": "val"}).text = xml_text(shown)
    return figure
