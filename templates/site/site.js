// The register site's own script: filters and sorts the tables the page already holds. Without it every row is
// shown, in the register's order; it fetches nothing and adds no row.
(function () {
  "use strict";

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    return cell.getAttribute("data-sort") || cell.textContent.trim();
  }

  function makeSortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = x.localeCompare(y, document.documentElement.lang, { numeric: true, sensitivity: "base" });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function makeFilter(form) {
    var table = document.getElementById(form.getAttribute("data-filter-for"));
    if (!table) { return; }
    var status = form.querySelector('[data-filter="status"]');
    var partner = form.querySelector('[data-filter="partner"]');
    var text = form.querySelector('[data-filter="text"]');
    var shown = form.querySelector("[data-shown]");
    function apply() {
      var wantStatus = status ? status.value : "";
      var wantPartner = partner ? partner.value : "";
      var needle = text ? text.value.trim().toLocaleLowerCase() : "";
      var count = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var partners = (row.getAttribute("data-partners") || "").split("|");
        var visible = (!wantStatus || row.getAttribute("data-status") === wantStatus) &&
          (!wantPartner || partners.indexOf(wantPartner) >= 0) &&
          (!needle || row.textContent.toLocaleLowerCase().indexOf(needle) >= 0);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      if (shown) { shown.textContent = count + " / " + table.tBodies[0].rows.length; }
    }
    form.hidden = false;
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    apply();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-filter-for]"), makeFilter);
  });
}());
