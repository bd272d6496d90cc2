"""JUnit XML for CI systems: one test case per claim, built with lxml.

A claim fails when it has a finding at or above ``fail_on`` (default ``error``, as the scrub
exit code); an unreadable claim is a test *error*; findings below the threshold go to the
case's ``system-out`` so CI shows them without failing. Run errors become one extra case
``run errors`` in error. Suites are per input file so CI groups claims by file.
"""
from __future__ import annotations

from lxml import etree

from scrubber.model.result import SEVERITY_RANK
from scrubber.report.safe import no_controls, xml_text


def _finding_line(f) -> str:
    where = no_controls(f.location_path) or "-"
    seg = f" (segment {f.location_segment})" if f.location_segment else ""
    fix = f"\n    fix: {no_controls(f.suggestion)}" if f.suggestion else ""
    return xml_text(f"{no_controls(f.severity)} {no_controls(f.rule_id)} [{no_controls(f.category)}] {where}{seg}: "
                    f"{no_controls(f.message)}{fix}")


def build(result, fail_on: str = "error") -> etree._Element:
    threshold = SEVERITY_RANK.get(fail_on, 99)  # "never": nothing fails
    root = etree.Element("testsuites", name="claimscrub")
    suites: dict[str, etree._Element] = {}
    counts: dict[str, dict[str, int]] = {}
    for c in result.claims:
        suite = suites.get(c.source_path)
        if suite is None:
            suite = suites[c.source_path] = etree.SubElement(root, "testsuite", name=xml_text(no_controls(c.source_path)))
            counts[c.source_path] = {"tests": 0, "failures": 0, "errors": 0}
        n = counts[c.source_path]
        n["tests"] += 1
        case = etree.SubElement(suite, "testcase", classname=xml_text(no_controls(c.source_path)), name=xml_text(no_controls(c.claim_id)))
        if c.source_segment is not None:
            case.set("line", str(c.source_segment))
        failing = [f for f in c.findings if SEVERITY_RANK.get(f.severity, 0) >= threshold]
        passing = [f for f in c.findings if f not in failing]
        if c.status == "unreadable":
            n["errors"] += 1
            err = etree.SubElement(case, "error", type="unreadable", message=xml_text(no_controls(c.error or "claim could not be read")))
            err.text = "\n".join(_finding_line(f) for f in c.findings) or None
        elif failing:
            n["failures"] += 1
            first = failing[0]
            fail = etree.SubElement(case, "failure", type=xml_text(no_controls(first.rule_id)),
                                    message=xml_text(no_controls(f"{len(failing)} finding(s): {first.message}")))
            fail.text = "\n".join(_finding_line(f) for f in failing)
        if passing and c.status != "unreadable":
            etree.SubElement(case, "system-out").text = "\n".join(_finding_line(f) for f in passing)
    for path, suite in suites.items():
        for k, v in counts[path].items():
            suite.set(k, str(v))
    if result.errors:
        suite = etree.SubElement(root, "testsuite", name="run", tests="1", failures="0", errors="1")
        case = etree.SubElement(suite, "testcase", classname="run", name="run errors")
        err = etree.SubElement(case, "error", type="run-error", message=f"{len(result.errors)} run error(s)")
        err.text = xml_text("\n".join(
            f"{no_controls(e.kind)} {no_controls(e.path)}{':' + str(e.segment) if e.segment else ''}: {no_controls(e.message)}"
            for e in result.errors
        ))
    idle = result.run.extra.get("rules_idle") or []
    if idle:  # a rule that could not run is a skipped test, said once, never a silent pass
        suite = etree.SubElement(root, "testsuite", name="rules not run", tests=str(len(idle)), failures="0",
                                 errors="0", skipped=str(len(idle)))
        for item in idle:
            case = etree.SubElement(suite, "testcase", classname="rules", name=xml_text(item["rule_id"]))
            etree.SubElement(case, "skipped", message=xml_text(item["reason"]))
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for suite in root:
        for k in totals:
            totals[k] += int(suite.get(k, "0"))
    for k, v in totals.items():
        root.set(k, str(v))
    return root


def render(result, out, fail_on: str = "error", **opts) -> None:
    root = build(result, fail_on)
    out.write(etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8"))
