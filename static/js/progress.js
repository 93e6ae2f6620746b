// Long work in the background (bulk certificates, HSDS imports): poll its progress and update the bar.
// data-batch-verb (optional, default "issued") words the count: "12 of 40 issued…", "200 of 10000 checked…".
(function () {
  "use strict";
  var box = document.querySelector("[data-batch-progress]");
  if (!box) return;
  var status = box.getAttribute("data-status");
  if (status === "finished" || status === "failed") return;
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-batch-text]");
  var verb = box.getAttribute("data-batch-verb") || "issued";
  function poll() {
    fetch(box.getAttribute("data-batch-progress"), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total || 1;
        bar.value = data.done;
        bar.textContent = data.percent + "%";
        if (data.status === "finished") {
          text.textContent = "Done: " + data.done + " of " + data.total + " " + verb + ".";
          window.setTimeout(function () { window.location.reload(); }, 800);
        } else if (data.status === "failed") {
          text.textContent = "Stopped: " + data.error;
        } else {
          text.textContent = data.done + " of " + data.total + " " + verb + "…";
          window.setTimeout(poll, 1000);
        }
      }, function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
