// The console's behaviour: row selection, pop-ups, actions and job progress. No build step.
"use strict";

const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function flash(text, kind = "info") {
  const box = $("#flash");
  box.textContent = text;           // textContent: messages are shown as text, never as HTML
  box.className = kind;
  box.hidden = false;
}

// The session ended (signed out elsewhere, or 8 hours passed): sign in again, then come back here.
function signInAgain() {
  window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  return new Promise(() => {});   // nothing after this runs: the page is leaving
}

// Every request of the page's scripts says so: the server answers an ended session with 401.
async function request(url, options = {}) {
  const headers = Object.assign({ "X-Requested-With": "console" }, options.headers || {});
  const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers }));
  if (response.status === 401) return signInAgain();
  return response;
}

async function post(url, fields = {}) {
  const body = new URLSearchParams(fields);
  const response = await request(url, {
    method: "POST", body,
    headers: { "X-CSRF-Token": csrf(), "Accept": "application/json" },
  });
  const type = response.headers.get("content-type") || "";
  const data = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    throw new Error(typeof data === "object" ? data.detail : `HTTP ${response.status}`);
  }
  return data;
}

// --- pop-ups ---------------------------------------------------------------------------
const modal = () => $("#modal");

async function openModal(url, html) {
  const body = $("#modal-body");
  if (html === undefined) {
    const response = await request(url);
    html = await response.text();   // server-rendered and escaped by Jinja
    if (!response.ok) { flash(`Could not open: HTTP ${response.status}`, "error"); return; }
  }
  body.innerHTML = html;
  if (!modal().open) modal().showModal();
}

// --- selection -------------------------------------------------------------------------
// Either the rows clicked on this page, or (Select All) every record matching the filter,
// on every page: then the server resolves the filter, so no page holds 50,000 ids.
let anchor = null;
let allMatching = false;
const rows = () => $$("#records tbody tr[data-id]");
const selectedIds = () => rows().filter((r) => r.classList.contains("selected")).map((r) => r.dataset.id);
const matchingTotal = () => Number(($(".toolbar") || { dataset: {} }).dataset.total || 0);

function selectionFields() {
  if (allMatching) {
    const { status, q } = $(".toolbar").dataset;
    return { all: "1", status, q };
  }
  return { ids: selectedIds().join(",") };
}

function refreshSelection() {
  const n = allMatching ? matchingTotal() : selectedIds().length;
  const count = $("#selection-count");
  if (count) {
    count.textContent = allMatching
      ? `All ${n.toLocaleString("en-US")} matching records selected (every page)`
      : `${n} selected`;
  }
  $$("[data-needs-selection]").forEach((b) => { b.disabled = n === 0; });
  rows().forEach((r) => r.setAttribute("aria-selected", r.classList.contains("selected")));
}

function clickSerial(row, event) {
  if (allMatching) { allMatching = false; rows().forEach((r) => r.classList.remove("selected")); }
  const all = rows();
  if (event.shiftKey && anchor) {
    const [a, b] = [all.indexOf(anchor), all.indexOf(row)].sort((x, y) => x - y);
    if (!(event.ctrlKey || event.metaKey)) all.forEach((r) => r.classList.remove("selected"));
    all.slice(a, b + 1).forEach((r) => r.classList.add("selected"));
  } else if (event.ctrlKey || event.metaKey) {
    row.classList.toggle("selected");
    anchor = row;
  } else {
    const only = row.classList.contains("selected") && selectedIds().length === 1;
    all.forEach((r) => r.classList.remove("selected"));
    if (!only) row.classList.add("selected");
    anchor = row;
  }
  refreshSelection();
}

// --- jobs ------------------------------------------------------------------------------
async function follow(job) {
  const panel = $("#job");
  panel.hidden = false;
  panel.className = "running";
  $("#job-text").textContent = `${job.title}…`;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const response = await request(`/jobs/${job.job}`, { headers: { "Accept": "application/json" } });
    const state = await response.json();
    if (!response.ok) { flash(state.detail, "error"); return; }
    if (state.state === "running") {
      $("#job-text").textContent = `${state.title}… ${state.progress || ""}`;
      continue;
    }
    if (state.state === "done" && state.link) {   // an outcome with a page of its own: open it
      window.location.assign(state.link);
      return;
    }
    sessionStorage.setItem("qbo-sync-flash", JSON.stringify({
      // A run that finished with records QBO refused is a failure to the reader: red.
      text: `${state.title}: ${state.message}`, kind: state.state === "done" && !state.failed ? "ok" : "error" }));
    window.location.reload();
    return;
  }
}

async function startJob(url, fields) {
  try {
    follow(await post(url, fields));
  } catch (error) {
    flash(error.message, "error");
  }
}

// --- row actions: link a client, answer a QuickBooks change, link to an existing object ---
let previewed = {};

async function act(url, fields) {
  try {
    const done = await post(url, fields);
    sessionStorage.setItem("qbo-sync-flash", JSON.stringify({ text: done.detail, kind: "ok" }));
    window.location.reload();
  } catch (error) { flash(error.message, "error"); }
}

function linkTo(button) {
  // The typed or preselected name must be one of the list's: its option carries the QBO id.
  const input = button.closest(".link-form").querySelector(".link-input");
  const option = Array.from(input.list ? input.list.options : []).find((o) => o.value === input.value.trim());
  if (!option) { flash("Choose a name from the list (type part of it to narrow the list).", "error"); return; }
  act(`/records/${button.dataset.record}/link`, { target: option.dataset.id, role: button.dataset.role });
}

// --- wiring ----------------------------------------------------------------------------
document.addEventListener("DOMContentLoaded", () => {
  const saved = sessionStorage.getItem("qbo-sync-flash");
  if (saved) {
    sessionStorage.removeItem("qbo-sync-flash");
    const { text, kind } = JSON.parse(saved);
    flash(text, kind);
  }
  const toolbar = $(".toolbar");
  const entity = toolbar ? toolbar.dataset.entity : null;

  document.addEventListener("click", async (event) => {
    const target = event.target.closest("button, [data-close]");
    if (!target) return;
    if (target.dataset.serial) {
      clickSerial(target.closest("tr"), event);
    } else if (target.id === "select-all") {
      allMatching = !allMatching && matchingTotal() > 0;
      rows().forEach((r) => r.classList.toggle("selected", allMatching));
      refreshSelection();
    } else if (target.dataset.import) {
      $("#import-menu").open = false;
      let fields = { mode: target.dataset.import };
      if (fields.mode === "selected") fields = { ...fields, ...selectionFields() };
      startJob(`/e/${entity}/import`, fields);
    } else if (target.id === "sync") {
      try {
        flash("Preparing the preview…");
        previewed = selectionFields();
        await openModal(null, await post(`/e/${entity}/preview`, previewed));
        $("#flash").hidden = true;
      } catch (error) { flash(error.message, "error"); }
    } else if (target.id === "rehearse") {
      startJob(`/e/${entity}/rehearse`, selectionFields());
    } else if (target.id === "confirm-sync") {
      modal().close();
      startJob(`/e/${target.dataset.entity}/sync`, { ...previewed, planned: target.dataset.planned });
    } else if (target.classList.contains("link-confirm")) {
      linkTo(target);
    } else if (target.dataset.reconcile) {
      act(`/records/${target.dataset.record}/reconcile`, { choice: target.dataset.reconcile });
    } else if (target.dataset.linkExisting) {
      act(`/records/${target.dataset.linkExisting}/link-existing`, {});
    } else if (target.dataset.retry) {
      startJob(`/records/${target.dataset.retry}/retry`, {});
    } else if (target.dataset.modal) {
      openModal(target.dataset.modal);
    } else if (target.hasAttribute("data-close")) {
      modal().close();
    }
  });

  document.addEventListener("change", async (event) => {
    const target = event.target;
    if (target.matches("[data-autosubmit]")) target.form.submit();
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("form.mapping")) return;
    event.preventDefault();
    const qboId = form.elements.qbo_id_typed.value.trim() || form.elements.qbo_id.value;
    try {
      const done = await post(form.dataset.action, { qbo_id: qboId });
      modal().close();
      sessionStorage.setItem("qbo-sync-flash", JSON.stringify({ text: done.detail, kind: "ok" }));
      window.location.reload();
    } catch (error) { flash(error.message, "error"); }
  });
  refreshSelection();
  loadTotals();
});

// The foot's totals cover every matching record: asked for once the page has shown.
async function loadTotals() {
  const foot = $("tr[data-totals]");
  if (!foot) return;
  try {
    const response = await request(foot.dataset.totals, { headers: { "Accept": "application/json" } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail);
    $$("[data-total]", foot).forEach((cell) => { cell.textContent = data.totals[Number(cell.dataset.total)] || ""; });
  } catch (error) {
    $$("[data-total]", foot).forEach((cell) => { cell.textContent = "?"; cell.title = `Totals not available: ${error.message}`; });
  }
}
