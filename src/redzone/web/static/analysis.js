// Linkage and estimate pages: a select marked auto-submit sends its form when changed, and a
// background job's status line (data-status-url) is polled until the job ends, then the page
// reloads to show its result. Without scripts, the forms still work and a reload shows the same.
(function () {
  "use strict";

  function autoSubmit(select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  }

  function poll(node) {
    var url = node.getAttribute("data-status-url");
    function check() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) {
          if (job && job.status === "running") { setTimeout(check, 1500); return; }
          var target = new URL(window.location.href);
          target.searchParams.set("started", "1");
          window.location.replace(target.toString());
        })
        .catch(function () { setTimeout(check, 5000); });
    }
    setTimeout(check, 1500);
  }

  function start() {
    document.querySelectorAll("select.auto-submit").forEach(autoSubmit);
    document.querySelectorAll("[data-status-url]").forEach(poll);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
