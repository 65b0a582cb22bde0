// Entry page: mark a row while HTMX saves it (the page works without this file).
document.addEventListener("htmx:beforeRequest", function (event) {
  var row = event.target.closest && event.target.closest("tr.indicator");
  if (row) { row.classList.add("saving"); }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var row = event.target.closest && event.target.closest("tr.indicator");
  if (row) { row.classList.remove("saving"); }
});
