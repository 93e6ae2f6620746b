// Progressive enhancement for the series editor: show only the picker fields the chosen
// pattern uses. Without JavaScript every field shows and the server ignores the unused ones.
(function () {
  "use strict";
  var form = document.querySelector("form.series-form");
  if (!form || !form.querySelector("[name=pattern]")) return;
  var uses = {
    weekday: ["ordinal", "weekday", "interval", "months", "end"],
    month_day: ["month_day", "interval", "months", "end"],
    weekly: ["weekday", "interval", "end"],
    custom: ["rrule"],
  };
  var picker = ["ordinal", "weekday", "month_day", "interval", "months", "end", "until", "count", "rrule"];
  function checked(name) {
    var input = form.querySelector("[name=" + name + "]:checked");
    return input ? input.value : null;
  }
  function update() {
    var pattern = checked("pattern") || "weekday";
    var visible = uses[pattern].slice();
    if (visible.indexOf("end") !== -1) visible.push(checked("end") === "count" ? "count" : "until");
    picker.forEach(function (name) {
      var box = form.querySelector(".field-" + name);
      if (box) box.hidden = visible.indexOf(name) === -1;
    });
  }
  form.addEventListener("change", update);
  update();
})();
