// The search box: suggestions from the API's /search while typing (an ARIA combobox: arrow keys
// move through them, Enter takes the active one or the first, Escape closes), and the chosen hit
// handed to `onChoose`, which zooms to it and opens "what is here".

import { t } from "./i18n.js";

const DEBOUNCE_MS = 180;
const LIMIT = 8;

/**
 * Wire the search box: `input` (role=combobox), `list` (role=listbox), `url(q)` → the /search URL,
 * `onChoose(feature)` for the hit taken. Returns {pending(), hits()} for tests and the idle check.
 */
export function initSearch({ input, list, url, onChoose, status }) {
  let hits = [];
  let active = -1;
  let timer = null;
  let abort = null;
  let pending = 0;
  let waiting = false; // a query typed, its request not sent yet
  let lastQuery = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    list.replaceChildren(
      ...hits.map((f, i) => {
        const li = document.createElement("li");
        li.id = `search-opt-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === active));
        const label = document.createElement("span");
        label.className = "hit-label";
        label.textContent = f.properties.label;
        const kind = document.createElement("span");
        kind.className = "hit-kind";
        kind.textContent = t(`kind_${f.properties.kind}`);
        li.append(label, kind);
        li.addEventListener("mousedown", (e) => {
          e.preventDefault(); // keep the focus in the box
          choose(i);
        });
        return li;
      }),
    );
    const open = hits.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (active >= 0) input.setAttribute("aria-activedescendant", `search-opt-${active}`);
    else input.removeAttribute("aria-activedescendant");
  }

  async function fetchHits(q) {
    abort?.abort();
    abort = new AbortController();
    pending += 1;
    try {
      const resp = await fetch(url(q), { headers: { Accept: "application/geo+json" }, signal: abort.signal });
      const body = await resp.json();
      if (!resp.ok) throw new Error(body.description || `HTTP ${resp.status}`);
      if (q !== lastQuery) return;
      hits = body.features;
      active = -1;
      render();
      status.textContent = hits.length ? t("searchFound", { n: hits.length }) : t("searchNothing", { q });
    } catch (err) {
      if (err.name !== "AbortError") status.textContent = t("searchError", { reason: err.message });
    } finally {
      pending -= 1;
    }
  }

  function choose(i) {
    const hit = hits[i];
    if (!hit) return;
    input.value = hit.properties.label;
    close();
    onChoose(hit);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    lastQuery = q;
    waiting = q.length >= 2;
    if (!waiting) {
      hits = [];
      close();
      return;
    }
    timer = setTimeout(() => {
      waiting = false;
      timer = null;
      fetchHits(q);
    }, DEBOUNCE_MS);
  });

  input.addEventListener("keydown", async (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!hits.length) return;
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      active = (active + step + hits.length) % hits.length;
      render();
    } else if (e.key === "Enter") {
      e.preventDefault();
      const q = input.value.trim();
      if (q.length >= 2 && (q !== lastQuery || timer)) {
        // Enter before the suggestions arrived: search now and take the best hit
        clearTimeout(timer);
        timer = null;
        waiting = false;
        lastQuery = q;
        await fetchHits(q);
      }
      choose(active >= 0 ? active : 0);
    } else if (e.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));

  return { pending: () => pending + (waiting ? 1 : 0), hits: () => hits };
}
