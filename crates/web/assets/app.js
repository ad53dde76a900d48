// Small behaviours the server-rendered pages need; no inline scripts (the CSP forbids them).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });
  document.addEventListener("click", function (e) {
    var el = e.target.closest && e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      e.preventDefault();
    }
  });
})();

// Tables marked data-sortable sort by a column when its header is clicked (numbers as numbers).
(function () {
  "use strict";
  function key(cell) {
    var text = (cell.textContent || "").trim();
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return isNaN(number) ? text : number;
  }
  document.addEventListener("click", function (e) {
    var th = e.target.closest && e.target.closest("table[data-sortable] th");
    if (!th) return;
    var table = th.closest("table");
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var ascending = th.getAttribute("data-order") !== "asc";
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      var c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
      return ascending ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("data-order"); });
    th.setAttribute("data-order", ascending ? "asc" : "desc");
  });
})();
