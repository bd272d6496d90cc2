"""The HTML report's inline stylesheet and script (no CDN, no external fonts: works offline).

The script filters the claim table (text and status), sorts it by a clicked column header and
folds each claim's findings behind a toggle. Without it (and in print) nothing is folded: the
findings rows are in the markup, visible; the controls that need the script are hidden until it
runs (it marks ``<html class="js">``). The print stylesheet unfolds every claim and drops the
controls; below 40rem (a 400 px phone) tables stack one cell per line, so nothing scrolls sideways. It reads only the DOM the report built (text and data-*
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
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,26rem),1fr));gap:1rem}
.bars{display:grid;gap:.3rem}.bar-row{display:grid;grid-template-columns:minmax(0,1fr) minmax(6rem,40%);gap:.5rem;align-items:center;font-size:.85rem}
.bar-label{overflow-wrap:anywhere}.bar-track{display:flex;align-items:center;gap:.35rem;min-width:0}
.bar-track svg{flex:1 1 auto;height:.9rem;min-width:0}.bar-track .val{color:var(--mute);white-space:nowrap}
.notice{background:#fff8e1;border:1px solid #f0c36d;border-radius:8px;padding:.6rem .9rem;margin:1rem 0}.notice ul{margin:.3rem 0 0;padding-left:1.2rem}
section.rule-findings{margin:0 0 1.25rem}section.rule-findings h3{font-size:1rem;margin:.75rem 0 .2rem}
td,th{overflow-wrap:anywhere}
figure{background:#fff;border:1px solid var(--line);border-radius:8px;margin:0;padding:.75rem}
figcaption{font-weight:600;margin-bottom:.5rem}
svg .bar{fill:#4a6fa5}svg .bar.risk{fill:var(--err)}
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
html:not(.js) .controls,html:not(.js) #claims .toggle-cell,html:not(.js) #claims thead th:first-child{display:none}
html:not(.js) tr.claim{cursor:auto}
@media (max-width:40rem){
body{padding:.75rem}.controls input{min-width:0;width:100%}.cards{gap:.5rem}.card{min-width:0;flex:1 1 8rem}
table,thead,tbody,tr,th,td{display:block;width:100%}
thead tr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{border-bottom:1px solid var(--line);padding:.25rem 0}td{border:none;padding:.15rem .5rem}
td[data-label]::before{content:attr(data-label) ": ";color:var(--mute)}td.num{text-align:left}
tr.detail>td{padding:.5rem}tr[hidden]{display:none}
}
@media print{
body{background:#fff;padding:0;font-size:10pt}.controls,button.toggle,#claims .toggle-cell,#claims thead th:first-child{display:none}
tr.detail[hidden]{display:table-row}tr.claim[hidden]{display:table-row}
figure,.card,section.rule-findings h3,tr{break-inside:avoid}.charts{display:block}figure{margin:0 0 .75rem}
a{color:inherit}
}
"""

JS = """
(function () {
  "use strict";
  document.documentElement.classList.add("js");
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
  claimRows().forEach(function (row) { setOpen(row, false); });
  applyFilter();
})();
"""
