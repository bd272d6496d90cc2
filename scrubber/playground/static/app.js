// claimscrub rule playground: the page talks only to the server it came from (/api/...).
// Every text from the server or the user is put in the page with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { path: "", saved: null, template: "", cases: [], seq: 0, timer: null, escaped: false };
const DEBOUNCE_MS = 350;
const LIMITS = { rule: 256 * 1024, claim: 2 * 1024 * 1024 }; // as scrubber/playground/check.py

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else if (k === "onclick") node.addEventListener("click", v); else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function status(text, bad) { const s = $("status"); s.textContent = text; s.classList.toggle("bad", !!bad); }

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let res;
  try { res = await fetch(path, opts); } catch (e) { return { error: "the playground server does not answer; is `claimscrub rules serve` still running?" }; }
  try { return await res.json(); } catch (e) { return { error: `the server answered ${res.status} without JSON` }; }
}

// ---- editor with line numbers and marks -----------------------------------------------------
function renderGutter(marks) {
  const n = $("rule-text").value.split("\n").length;
  const g = $("gutter");
  g.replaceChildren();
  for (let i = 1; i <= n; i++) {
    const m = marks && marks.get(i);
    const span = el("span", m ? { class: m.kind === "error" ? "err" : "warn", title: m.message, "data-line": i } : { "data-line": i }, i);
    g.append(span);
  }
  g.scrollTop = $("rule-text").scrollTop;
}
state.marks = new Map();

function gotoLine(line) {
  const ta = $("rule-text");
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) pos += lines[i].length + 1;
  ta.focus();
  ta.setSelectionRange(pos, pos + (lines[line - 1] || "").length);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 19;
  ta.scrollTop = Math.max(0, (line - 4) * lh);
}

function setDirty() { $("dirty").hidden = $("rule-text").value === state.saved; }

// ---- results ---------------------------------------------------------------------------------
function lineLink(line) { return line ? el("a", { class: "goto", href: "#", onclick: (e) => { e.preventDefault(); gotoLine(line); } }, `line ${line}`) : null; }

function showResult(data) {
  $("error").hidden = true;
  const problems = $("problems"), cases = $("cases"), findings = $("findings");
  problems.replaceChildren(); cases.replaceChildren(); findings.replaceChildren();
  state.marks = new Map();
  if (data.error) { $("error").textContent = data.error; $("error").hidden = false; renderGutter(state.marks); return; }
  for (const p of data.problems) {
    const prev = state.marks.get(p.line);
    if (p.line && !(prev && prev.kind === "error")) state.marks.set(p.line, p);
    problems.append(el("li", { class: p.kind }, el("span", { class: "badge" }, p.kind), p.message, lineLink(p.line)));
  }
  if (!data.problems.length) problems.append(el("li", { class: "pass" }, el("span", { class: "badge" }, "ok"), "the rule loads, compiles and has fire and pass cases"));
  renderGutter(state.marks);
  const passed = data.cases.filter((c) => c.ok).length;
  $("case-summary").textContent = data.rule ? `${passed} passed, ${data.cases.length - passed} failed` : "";
  for (const c of data.cases) {
    cases.append(el("li", { class: c.ok ? "pass" : "fail", "data-case": c.name },
      el("span", { class: "badge" }, c.ok ? "PASS" : "FAIL"), `${c.name} (expect ${c.expect})`, lineLink(c.line),
      el("span", { class: "detail" }, c.detail)));
  }
  if (!data.rule) cases.append(el("li", {}, "fix the problems above to run the test cases"));
  updateCasePicker(data.rule ? data.rule.cases : []);
  showFindings(data, findings);
}

function showFindings(data, box) {
  const claim = data.claim;
  if (!claim) { box.append(el("p", { class: "hint" }, $("claim-text").value.trim() ? "fix the rule to scrub the claim" : "Paste or pick a claim to see this rule's findings on it.")); return; }
  if (claim.error) { box.append(el("div", { class: "error" }, claim.error)); return; }
  const res = claim.result, rule = data.rule;
  for (const e of res.errors) {
    box.append(el("div", { class: "error" }, `${e.kind}: ${e.message}` + (e.segment ? ` (segment ${e.segment})` : "")));
  }
  if (!res.claims.length && !res.errors.length) box.append(el("div", { class: "error" }, "no claim found in the pasted text: paste an X12 837 (starting with ISA) or a JSON claim"));
  for (const c of res.claims) {
    const card = el("div", { class: "claim" }, el("h3", {}, `${c.claim_id} — ${c.status}`,
      el("span", { class: "path" }, c.source && c.source.segment ? ` (segment ${c.source.segment})` : "")));
    if (!c.findings.length && c.status !== "unreadable") card.append(el("p", { class: "hint" }, `${rule.id} does not fire on this claim`));
    for (const f of c.findings) {
      const loc = f.location ? `${f.location.path}${f.location.segment ? ` · segment ${f.location.segment}` : ""}` : "";
      const why = el("div", { class: "why" });
      if (f.rule_id === rule.id) {
        if (rule.why) why.append(el("div", {}, el("b", {}, "Why: "), rule.why));
        if (f.source || rule.source) why.append(el("div", {}, el("b", {}, "Source: "), f.source || rule.source));
      }
      card.append(el("div", { class: "finding", "data-rule": f.rule_id },
        el("div", {}, el("span", { class: `sev-${f.severity}` }, `${f.severity} `), el("b", {}, f.rule_id), " ", f.message,
          el("div", { class: "loc" }, loc), f.suggestion ? el("div", {}, el("b", {}, "Fix: "), f.suggestion) : null),
        why));
    }
    box.append(card);
  }
}

// ---- checking as the author types ------------------------------------------------------------
function schedule() { clearTimeout(state.timer); state.timer = setTimeout(runCheck, DEBOUNCE_MS); }

async function runCheck() {
  clearTimeout(state.timer);
  if (!state.path) return;
  const seq = ++state.seq;
  const rule = $("rule-text").value, claim = $("claim-text").value;
  if (rule.length > LIMITS.rule || claim.length > LIMITS.claim) {
    const what = rule.length > LIMITS.rule ? `the rule text is ${rule.length.toLocaleString()} characters; at most ${LIMITS.rule.toLocaleString()}`
      : `the claim is ${claim.length.toLocaleString()} characters; the playground takes at most ${LIMITS.claim.toLocaleString()} (paste one claim or a small batch)`;
    showResult({ error: what }); status("too large", true); document.body.dataset.checked = String(seq); return;
  }
  status("checking…");
  const data = await api("/api/check", { path: state.path, text: rule, claim });
  if (seq !== state.seq) return; // a newer check is on its way
  showResult(data);
  status(data.error ? "check failed" : "checked", !!data.error);
  document.body.dataset.checked = String(seq);
}

// ---- rule files, new rule, save, share -------------------------------------------------------
function setRule(path, text, saved) {
  state.path = path; state.saved = saved;
  $("rule-path").textContent = path;
  $("rule-text").value = text;
  const pick = $("rule-pick");
  if (![...pick.options].some((o) => o.value === path)) pick.append(el("option", { value: path }, path));
  pick.value = path;
  setDirty(); renderGutter(state.marks); runCheck();
}

async function openRule(path) {
  const data = await api(`/api/rule?path=${encodeURIComponent(path)}`);
  if (data.error) { status(data.error, true); return; }
  setRule(data.path, data.text, data.text);
}

async function save() {
  const data = await api("/api/save", { path: state.path, text: $("rule-text").value });
  if (data.error) { status(data.error, true); return; }
  state.saved = $("rule-text").value; setDirty();
  status(`saved ${data.saved}`);
}

function b64url(bytes) { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""); }
function unb64url(text) { const s = atob(text.replace(/-/g, "+").replace(/_/g, "/")); return Uint8Array.from(s, (c) => c.charCodeAt(0)); }
async function pipe(bytes, stream) { return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer()); }

async function share() {
  const json = JSON.stringify({ p: state.path, r: $("rule-text").value, c: $("claim-text").value });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  const url = `${location.origin}${location.pathname}#s=${b64url(packed)}`;
  history.replaceState(null, "", url);
  const box = $("share-url"); box.value = url; box.hidden = false; box.focus(); box.select();
  try { await navigator.clipboard.writeText(url); status("share link copied"); } catch (e) { status("share link ready: copy it from the box"); }
}

async function fromShareLink() {
  const m = location.hash.match(/^#s=([A-Za-z0-9_-]+)$/);
  if (!m) return false;
  try {
    const bytes = await pipe(unb64url(m[1]), new DecompressionStream("deflate-raw"));
    const s = JSON.parse(new TextDecoder().decode(bytes));
    $("claim-text").value = typeof s.c === "string" ? s.c : "";
    const disk = await api(`/api/rule?path=${encodeURIComponent(s.p)}`);
    setRule(String(s.p), String(s.r), disk.error ? null : disk.text);
    status("opened from a share link");
    return true;
  } catch (e) { status("this share link is damaged; opened the first rule instead", true); return false; }
}

function newRule(e) {
  e.preventDefault();
  const id = $("new-id").value.trim().toUpperCase();
  if (!/^[A-Z][A-Z0-9-]*$/.test(id)) { status("a rule id is upper-case letters, digits and -", true); return; }
  const pack = $("new-pack").value;
  $("new-form").hidden = true;
  setRule(pack ? `${pack}/${id}.yaml` : `${id}.yaml`, state.template.replace(/^id: RULE-ID$/m, `id: ${id}`), null);
  $("rule-text").focus();
}

// ---- claim picker ----------------------------------------------------------------------------
function updateCasePicker(cases) {
  state.cases = cases;
  const pick = $("claim-pick");
  const old = pick.querySelector("optgroup[data-cases]");
  if (old) old.remove();
  if (!cases.length) return;
  const group = el("optgroup", { label: "this rule's test cases", "data-cases": "1" });
  cases.forEach((c, i) => group.append(el("option", { value: `case:${i}` }, `${c.expect}: ${c.name}`)));
  pick.append(group);
}

async function pickClaim() {
  const v = $("claim-pick").value;
  if (!v) return;
  if (v.startsWith("case:")) {
    const c = state.cases[Number(v.slice(5))];
    if (c) $("claim-text").value = JSON.stringify(c.claim, null, 2);
  } else {
    const data = await api(`/api/fixture?name=${encodeURIComponent(v.slice(8))}`);
    if (data.error) { status(data.error, true); return; }
    $("claim-text").value = data.text;
  }
  runCheck();
}

// ---- keyboard ----------------------------------------------------------------------------------
function editorKeys(e) {
  const ta = $("rule-text");
  if (e.key === "Escape") { state.escaped = true; return; }
  if (e.key === "Tab" && !state.escaped && !e.ctrlKey && !e.altKey) {
    e.preventDefault();
    const { selectionStart: a, selectionEnd: b } = ta;
    if (e.shiftKey) {
      const start = ta.value.lastIndexOf("\n", a - 1) + 1;
      if (ta.value.startsWith("  ", start)) { ta.setRangeText("", start, start + 2, "preserve"); }
    } else {
      ta.setRangeText("  ", a, b, "end");
    }
    ta.dispatchEvent(new Event("input"));
    return;
  }
  state.escaped = false;
}

function globalKeys(e) {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") { e.preventDefault(); save(); }
  else if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); runCheck(); }
}

async function start() {
  const st = await api("/api/state");
  if (st.error) { status(st.error, true); return; }
  state.template = st.template;
  document.title = `claimscrub rule playground — ${st.root}`;
  for (const r of st.rules) $("rule-pick").append(el("option", { value: r }, r));
  for (const p of st.packs) $("new-pack").append(el("option", { value: p }, p));
  if (!st.packs.length) $("new-pack").append(el("option", { value: "" }, "(the served folder)"));
  const fx = el("optgroup", { label: "sample claims (fixtures)" });
  for (const f of st.fixtures) fx.append(el("option", { value: `fixture:${f}` }, f));
  if (st.fixtures.length) $("claim-pick").append(fx);

  $("rule-text").addEventListener("input", () => { setDirty(); renderGutter(state.marks); schedule(); });
  $("rule-text").addEventListener("scroll", () => { $("gutter").scrollTop = $("rule-text").scrollTop; });
  $("rule-text").addEventListener("keydown", editorKeys);
  $("claim-text").addEventListener("input", schedule);
  $("claim-pick").addEventListener("change", pickClaim);
  $("rule-pick").addEventListener("change", () => {
    if ($("rule-text").value !== state.saved && !confirm("Discard the unsaved changes to this rule?")) { $("rule-pick").value = state.path; return; }
    openRule($("rule-pick").value);
  });
  $("save").addEventListener("click", save);
  $("share").addEventListener("click", share);
  $("new-rule").addEventListener("click", () => { $("new-form").hidden = false; $("new-id").focus(); });
  $("new-cancel").addEventListener("click", () => { $("new-form").hidden = true; });
  $("new-form").addEventListener("submit", newRule);
  document.addEventListener("keydown", globalKeys);
  window.addEventListener("beforeunload", (e) => { if ($("rule-text").value !== state.saved && state.saved !== undefined) e.preventDefault(); });
  if (!(await fromShareLink())) {
    if (st.rules.length) await openRule(st.rules[0]);
    else $("new-form").hidden = false;
  }
}

start();
