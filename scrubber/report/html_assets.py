"""The HTML report's inline stylesheet and script (no CDN, no external fonts: works offline).

The script filters the claim table (text and status), sorts it by a clicked column header and
opens a claim's drill-down row. It reads only the DOM the report built (text and data-*
attributes, escaped by lxml), never evaluates data, and is allowed by the page's
Content-Security-Policy through its sha256 hash, so no other script can run in the report.
"""

CSS = """
:root{--err:#b3261e;--warn:#a15c00;--info:#1f5fa8;--ok:#2e7d32;--ink:#1b1b1f;--mute:#5f6368;--line:#dadce0}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:var(--ink);margin:0;padding:1.5rem;background:#fafafa}
h1{margin:0 0 .25rem;font-size:1.5rem}h2{font-size:1.15rem;margin:2rem 0 .75rem}
.meta{color:var(--mute);margin:0 0 1rem}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;min-width:9rem}
.card .n{font-size:1.6rem;font-weight:600}.card .l{color:var(--mute);font-size:.85rem}
.card.flagged .n{color:var(--err)}.card.clean .n{color:var(--ok)}.card.unreadable .n{color:#6a1b9a}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:1rem}
figure{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0;padding:.75rem}
figcaption{font-weight:600;margin-bottom:.5rem}
svg text{font-size:12px;fill:var(--ink)}svg .bar{fill:#4a6fa5}svg .bar.risk{fill:var(--err)}svg .val{fill:var(--mute)}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f4}th.sortable{cursor:pointer}th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num,th.num{text-align:right}
tr.claim{cursor:pointer}tr.claim:hover{background:#f5f8ff}
.sev-error{color:var(--err);font-weight:600}.sev-warning{color:var(--warn);font-weight:600}.sev-info{color:var(--info)}
.st-flagged{color:var(--err)}.st-clean{color:var(--ok)}.st-unreadable{color:#6a1b9a}
.controls{display:flex;gap:.75rem;align-items:center;margin-bottom:.5rem;flex-wrap:wrap}
.controls input{padding:.35rem .5rem;min-width:18rem}
tr.detail>td{background:#fcfcfd;padding:.75rem 1.25rem}
.finding{border-left:3px solid var(--line);padding:.25rem .75rem;margin:.5rem 0}
.finding.error{border-color:var(--err)}.finding.warning{border-color:var(--warn)}.finding.info{border-color:var(--info)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85rem}
pre.segment{background:#f1f3f4;padding:.35rem .5rem;margin:.25rem 0;white-space:pre-wrap;word-break:break-all}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:0 0 .5rem}dl.facts dt{color:var(--mute)}dl.facts dd{margin:0}
.note{color:var(--mute);font-size:.85rem}
button.toggle{border:none;background:none;cursor:pointer;font:inherit;padding:0 .25rem 0 0}
"""

JS = """
(function () {
  "use strict";
  var table = document.getElementById("claims");
  if (!table) { return; }
  var body = table.tBodies[0];
  var textBox = document.getElementById("claim-filter");
  var statusBox = document.getElementById("status-filter");
  var shownCount = document.getElementById("claims-shown");

  function claimRows() { return Array.prototype.slice.call(body.querySelectorAll("tr.claim")); }
  function detailOf(row) { return document.getElementById(row.getAttribute("data-detail")); }

  function applyFilter() {
    var q = textBox.value.trim().toLowerCase();
    var st = statusBox.value;
    var shown = 0;
    claimRows().forEach(function (row) {
      var ok = (!st || row.getAttribute("data-status") === st) &&
               (!q || row.getAttribute("data-search").indexOf(q) !== -1);
      row.hidden = !ok;
      if (!ok) { setOpen(row, false); }
      if (ok) { shown += 1; }
    });
    shownCount.textContent = String(shown);
  }

  function setOpen(row, open) {
    var detail = detailOf(row);
    if (!detail) { return; }
    detail.hidden = !open;
    var button = row.querySelector("button.toggle");
    if (button) { button.setAttribute("aria-expanded", open ? "true" : "false"); button.textContent = open ? "\\u25BE" : "\\u25B8"; }
  }

  function sortBy(th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-type") === "num";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = claimRows();
    rows.sort(function (a, b) {
      var x = a.children[index].getAttribute("data-value") || "";
      var y = b.children[index].getAttribute("data-value") || "";
      if (numeric) { x = parseFloat(x); y = parseFloat(y); x = isNaN(x) ? -Infinity : x; y = isNaN(y) ? -Infinity : y; }
      if (x < y) { return -dir; }
      if (x > y) { return dir; }
      return (parseInt(a.getAttribute("data-order"), 10) - parseInt(b.getAttribute("data-order"), 10));
    });
    rows.forEach(function (row) {
      var detail = detailOf(row);
      body.appendChild(row);
      if (detail) { body.appendChild(detail); }
    });
  }

  textBox.addEventListener("input", applyFilter);
  statusBox.addEventListener("change", applyFilter);
  Array.prototype.forEach.call(table.tHead.querySelectorAll("th.sortable"), function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  body.addEventListener("click", function (event) {
    var row = event.target.closest("tr.claim");
    if (!row) { return; }
    var detail = detailOf(row);
    setOpen(row, detail ? detail.hidden : false);
  });
  applyFilter();
})();
"""
