(function () {
  "use strict";
  var box = document.getElementById("pkg-filter");
  if (!box) { return; }
  var rows = document.querySelectorAll("#pkg-list tbody tr");
  var nodes = document.querySelectorAll("svg.depgraph g.n[data-name]");
  box.hidden = false;
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    rows.forEach(function (r) {
      r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0;
    });
    nodes.forEach(function (n) {
      var name = n.getAttribute("data-name").toLowerCase();
      n.classList.toggle("match", q !== "" && name !== "" && name.indexOf(q) >= 0);
    });
  });
})();
