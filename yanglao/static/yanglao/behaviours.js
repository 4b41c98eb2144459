// Small page behaviours declared by data attributes, so that no template needs inline script
// (the Content-Security-Policy allows scripts from this site's static files only).
//   <form data-confirm="确认…？">            asks before submitting
//   <select data-autosubmit>                 submits its form when changed
//   <input type="checkbox" data-select-all="input[name=person]">  ticks/unticks those boxes
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    if (el.matches && el.matches("input[data-select-all]")) {
      document.querySelectorAll(el.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = el.checked;
      });
    }
  });
})();
