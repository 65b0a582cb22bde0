// Entry page: labels for the phone's cards, the unsaved count in the sticky save bar, a row marked while
// HTMX saves it. The page works without this file.
(function () {
  "use strict";
  var dirty = {};

  function labelCells(root) {
    var table = document.getElementById("entry-table");
    if (!table) { return; }
    var heads = table.querySelectorAll("thead th");
    var rows = (root || table).querySelectorAll("tr.indicator");
    if (root && root.matches && root.matches("tr.indicator")) { rows = [root]; }
    for (var r = 0; r < rows.length; r++) {
      var cells = rows[r].children;
      for (var c = 0; c < cells.length && c < heads.length; c++) {
        var text = heads[c].textContent.trim();
        if (text) { cells[c].setAttribute("data-label", text); }
      }
    }
  }

  function showCount() {
    var box = document.getElementById("unsaved-count");
    if (!box) { return; }
    var n = Object.keys(dirty).length;
    box.hidden = n === 0;
    box.textContent = n === 1 ? box.getAttribute("data-one") : box.getAttribute("data-many").replace("__N__", String(n));
  }

  function markDirty(event) {
    var row = event.target.closest && event.target.closest("tr.indicator");
    if (!row || !row.id) { return; }
    dirty[row.id] = true;
    row.classList.add("dirty");
    showCount();
  }

  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.target.closest && event.target.closest("tr.indicator");
    if (row) { row.classList.add("saving"); }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var row = event.target.closest && event.target.closest("tr.indicator");
    if (row) { row.classList.remove("saving"); }
  });
  // A saved row comes back from the server without the "dirty" mark; a refused one comes back with an error.
  document.addEventListener("htmx:load", function () {
    labelCells(null);
    Object.keys(dirty).forEach(function (id) {
      var row = document.getElementById(id);
      if (!row) { delete dirty[id]; } else if (row.classList.contains("has-error")) { row.classList.add("dirty"); }
      else if (!row.classList.contains("dirty")) { delete dirty[id]; }
    });
    showCount();
  });
  document.addEventListener("submit", function (event) {
    if (event.target.id === "assessment-form" && !event.defaultPrevented) { dirty = {}; }
  });
  document.addEventListener("DOMContentLoaded", function () { labelCells(null); });
}());
