/* The few jQuery and bootstrap-table calls Great Expectations' Data Docs make, without a CDN.
   Tables are drawn from their inline data (each row a link to its page, as in GX); effects
   show or hide at once; any other call does nothing instead of throwing. */
(function () {
  "use strict";
  function list(selector) {
    if (selector === document || selector === window) return [document];
    if (selector && selector.nodeType) return [selector];
    if (typeof selector === "function") { ready(selector); return []; }
    try { return Array.from(document.querySelectorAll(selector)); } catch (e) { return []; }
  }
  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }
  function cell(value) {
    return value === null || value === undefined ? "" : String(value);
  }
  function drawTable(table, options) {
    if (typeof options !== "object" || !options) return;
    const columns = (options.columns || []).filter(c => c.visible !== "false" && c.visible !== false);
    let rows = (options.data || []).slice();
    const sortKey = options.sortName && columns.some(c => c.field === options.sortName)
      ? (columns.find(c => c.field === options.sortName).sortName || options.sortName) : null;
    if (sortKey) {
      const sign = options.sortOrder === "desc" ? -1 : 1;
      rows.sort((a, b) => (a[sortKey] > b[sortKey] ? 1 : a[sortKey] < b[sortKey] ? -1 : 0) * sign);
    }
    const head = "<thead><tr>" + columns.map(c => "<th>" + cell(c.title) + "</th>").join("") + "</tr></thead>";
    const body = rows.map(row => {
      const link = row._table_row_link_path;
      return "<tr" + (link ? ' class="cbns-row-link" data-href="' + String(link).replace(/"/g, "&quot;") + '"' : "") + ">"
        + columns.map(c => "<td>" + cell(row[c.field]) + "</td>").join("") + "</tr>";
    }).join("");
    table.innerHTML = head + "<tbody>" + body + "</tbody>";
    table.classList.add("table", "table-sm", "cbns-table");
    table.addEventListener("click", event => {
      const tr = event.target.closest("tr[data-href]");
      if (tr && !event.target.closest("a")) window.location = tr.dataset.href;
    });
  }
  function wrap(nodes) {
    const api = {
      length: nodes.length,
      ready: fn => { ready(fn); return proxy; },
      bootstrapTable: options => { nodes.forEach(n => drawTable(n, options)); return proxy; },
      fadeIn: () => { nodes.forEach(n => { n.style.display = ""; }); return proxy; },
      fadeOut: () => { nodes.forEach(n => { n.style.display = "none"; }); return proxy; },
      show: () => api.fadeIn(),
      hide: () => api.fadeOut(),
      parent: () => wrap(nodes.map(n => n.parentElement).filter(Boolean)),
      prepend: html => { nodes.forEach(n => n.insertAdjacentHTML("afterbegin", html)); return proxy; },
      each: fn => { nodes.forEach((n, i) => fn.call(n, i, n)); return proxy; },
    };
    const proxy = new Proxy(api, {
      get(target, name) {
        if (name in target) return target[name];
        if (typeof name === "string" && /^\d+$/.test(name)) return nodes[Number(name)];
        return () => proxy;  // on(), tooltip(), popover(), … : nothing to do offline
      },
    });
    return proxy;
  }
  // Tabs (Validation Results / Expectation Suites): Bootstrap's data-toggle="tab".
  document.addEventListener("click", event => {
    const tab = event.target.closest('[data-toggle="tab"], [data-toggle="pill"]');
    if (!tab) return;
    event.preventDefault();
    const pane = document.querySelector(tab.getAttribute("href") || tab.dataset.target);
    if (!pane) return;
    tab.closest(".nav").querySelectorAll(".nav-link").forEach(n => n.classList.remove("active"));
    tab.classList.add("active");
    pane.parentElement.querySelectorAll(":scope > .tab-pane").forEach(p => p.classList.remove("active", "show"));
    pane.classList.add("active", "show");
  });
  window.$ = window.jQuery = function (selector) { return wrap(list(selector)); };
  window.$.fn = {};
  window.vegaEmbed = function () { return Promise.resolve(); };
})();
