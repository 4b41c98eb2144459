// Region picker (accounts.regionpicker.RegionInput): as the user types a name, fill the
// input's <datalist> with matching regions from the scoped endpoint. The server resolves the
// chosen name to its code; without this script a typed name still works.
(function () {
  "use strict";
  var timers = new WeakMap();
  function fill(input) {
    var q = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || q.length < 1) { return; }
    var url = input.getAttribute("data-region-picker") + "?q=" + encodeURIComponent(q);
    if (input.getAttribute("data-levels")) { url += "&levels=" + input.getAttribute("data-levels"); }
    if (input.getAttribute("data-any")) { url += "&any=1"; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) {
        list.textContent = "";
        (data.results || []).forEach(function (row) {
          var opt = document.createElement("option");
          opt.value = row.name;
          opt.label = row.level;
          list.appendChild(opt);
        });
      })
      .catch(function () { /* offline: the typed name is resolved on submit */ });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-region-picker]")) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fill(input); }, 200));
  });
})();
