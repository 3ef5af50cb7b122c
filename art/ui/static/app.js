// The router and the live poll: every 2 s ask for the store's stamp, reload the page's data
// when it moved. The poll reads a cached snapshot on the server, never the trainer's files.
"use strict";

const PAGES = { runs: RunsPage, curves: CurvesPage, trajectories: TrajectoriesPage, sql: SqlPage };
let current = null;
let lastStamp = null;

async function show() {
  const { page, params } = route();
  const Page = PAGES[page] || RunsPage;
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  const main = document.getElementById("page");
  main.replaceChildren();
  current = new Page(main, params);
  await current.load();
}

async function poll() {
  const live = document.getElementById("live");
  try {
    const { stamp } = await api("/api/stamp");
    if (lastStamp !== null && stamp !== lastStamp && current && current.refresh) await current.refresh();
    lastStamp = stamp;
    live.textContent = `live · ${new Date().toLocaleTimeString()}`;
    live.className = "ok";
  } catch (e) {
    live.textContent = "offline";
    live.className = "bad";
  }
}

window.addEventListener("hashchange", show);
show();
poll();
setInterval(poll, 2000);
