// The table planner: while the server plans (well under two seconds), show that it is working.
(function () {
  "use strict";
  var status = document.querySelector("[data-busy-status]");
  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      form.setAttribute("aria-busy", "true");
      if (button) {
        var label = button.getAttribute("data-busy-label") || "Working…";
        button.classList.add("is-busy");
        button.textContent = label;
        // Disable after the submission has started, so the form still sends.
        window.setTimeout(function () { button.disabled = true; }, 0);
        if (status) status.textContent = label;
      }
    });
  });
})();
