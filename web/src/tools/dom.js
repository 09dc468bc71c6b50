// Small DOM helpers shared by the map page and its tools.

/** An element with attributes (`text` sets its text; null/false attributes are left out) and children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export const $ = (sel) => document.querySelector(sel);

/** A number in the current language's format (`digits` decimals at most). */
export function num(v, lang, digits = 1) {
  return v.toLocaleString(lang === "pl" ? "pl-PL" : "en-GB", { maximumFractionDigits: digits });
}
