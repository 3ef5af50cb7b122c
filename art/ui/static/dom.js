// DOM helpers. Every value from the store becomes a text node (textContent), never HTML.
"use strict";

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function fmt(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null) q.append(k, one);
  }
  const res = await fetch(`${path}?${q}`);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

// The hash holds the page and its state: #/curves?run=p/m&window=3
function route() {
  const [page, query] = location.hash.replace(/^#\/?/, "").split("?");
  return { page: page || "runs", params: new URLSearchParams(query || "") };
}

function go(page, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) for (const one of [v].flat()) q.append(k, one);
  location.hash = `#/${page}?${q}`;
}

function setParam(key, value) {
  const { page, params } = route();
  params.set(key, value);
  history.replaceState(null, "", `#/${page}?${params}`);
}

function errorBox(err) {
  return h("div", { class: "error", role: "alert" }, String(err.message || err));
}

function kv(obj) {
  if (!obj || typeof obj !== "object" || !Object.keys(obj).length) return null;
  return h("dl", { class: "kv" }, Object.entries(obj).map(([k, v]) => [h("dt", {}, k), h("dd", {}, fmt(v))]));
}
