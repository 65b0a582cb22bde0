// Every page: the collapsing menu, wide tables scrolling in their own box, confirmations.
// Pages work without this file; it only makes them easier on a phone.
(function () {
  "use strict";

  function wrapWideTables(root) {
    var tables = (root || document).querySelectorAll("main table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      var parent = table.parentNode;
      if (table.closest(".table-scroll")) { continue; }
      var box = document.createElement("div");
      box.className = "table-scroll";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
  }

  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var menu = document.getElementById("menu");
    if (!toggle || !menu) { return; }
    toggle.hidden = false;
    document.documentElement.classList.add("js-menu");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  }

  // A button or form with data-confirm asks before it sends (submit, approve, return, reopen…).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // A form with data-busy shows progress while the server works (a report being rendered, a big import).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-busy");
    if (!message || event.defaultPrevented) { return; }
    var note = document.createElement("p");
    note.className = "busy";
    note.setAttribute("role", "status");
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", message);
    note.appendChild(bar);
    note.appendChild(document.createTextNode(" " + message));
    form.parentNode.insertBefore(note, form.nextSibling);
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
    }, 0);
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    wrapWideTables(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { wrapWideTables(event.target.parentNode || document); });
}());
