// The series editor's "Preview dates" without reloading the page: the picker's choices become an RRULE
// (as events.recurrence.build_rrule makes it), the preview API (POST /api/series/preview, the browser's
// session with its CSRF token) expands it, and the dates replace the preview in place; focus moves to it.
// Whenever the API says no (a field the picker cannot check, say), the form is submitted as before and
// the server shows its errors beside the fields.
(function () {
  "use strict";
  var form = document.querySelector("form.series-form[data-preview-url]");
  var section = document.getElementById("preview");
  if (!form || !section || !window.fetch) return;
  var button = form.querySelector("button[name=action][value=preview]");
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  var DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function value(name) {
    var field = form.querySelector("[name=" + name + "]:checked") || form.querySelector("select[name=" + name + "], input[name=" + name + "]:not([type=radio]):not([type=checkbox]), textarea[name=" + name + "]");
    return field ? field.value.trim() : "";
  }
  function rule() {
    var pattern = value("pattern") || "weekday";
    if (pattern === "custom") return value("rrule");
    var parts;
    if (pattern === "weekly") parts = ["FREQ=WEEKLY", "BYDAY=" + value("weekday")];
    else if (pattern === "month_day") parts = ["FREQ=MONTHLY", "BYMONTHDAY=" + value("month_day")];
    else parts = ["FREQ=MONTHLY", "BYDAY=" + value("ordinal") + value("weekday")];
    var interval = parseInt(value("interval") || "1", 10);
    if (interval > 1) parts.push("INTERVAL=" + interval);
    if (pattern !== "weekly") {
      var months = Array.prototype.map.call(form.querySelectorAll("[name=months]:checked"), function (box) {
        return parseInt(box.value, 10);
      }).sort(function (a, b) { return a - b; });
      if (months.length && months.length < 12) parts.push("BYMONTH=" + months.join(","));
    }
    var end = value("end");
    if (end === "until" && value("until")) parts.push("UNTIL=" + value("until").replace(/-/g, ""));
    else if (end === "count" && value("count")) parts.push("COUNT=" + value("count"));
    return parts.join(";");
  }
  // "2027-02-03T09:30:00+11:00" is already in the partnership's zone: read its parts as they are.
  function clock(iso) {
    var h = parseInt(iso.slice(11, 13), 10), m = iso.slice(14, 16);
    return (h % 12 || 12) + ":" + m + " " + (h < 12 ? "a.m." : "p.m.");
  }
  function day(iso) {
    var y = parseInt(iso.slice(0, 4), 10), mo = parseInt(iso.slice(5, 7), 10), d = parseInt(iso.slice(8, 10), 10);
    return DAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()] + " " + d + " " + MONTHS[mo - 1] + " " + y;
  }
  function show(body) {
    var count = body.occurrences.length;
    section.textContent = "";
    var h = document.createElement("h2");
    h.id = "preview-heading";
    h.textContent = "Preview: " + count + " session" + (count === 1 ? "" : "s");
    section.appendChild(h);
    var p = document.createElement("p");
    p.textContent = body.description + " (times in " + body.timezone + ")";
    section.appendChild(p);
    var list = document.createElement("ol");
    list.className = "preview-list";
    body.occurrences.forEach(function (o) {
      var li = document.createElement("li");
      var t = document.createElement("time");
      t.setAttribute("datetime", o.start);
      t.textContent = day(o.start) + ", " + clock(o.start);
      li.appendChild(t);
      li.appendChild(document.createTextNode(" – " + clock(o.end)));
      list.appendChild(li);
    });
    section.appendChild(list);
    section.hidden = false;
    section.focus();
  }
  button.addEventListener("click", function (event) {
    var exdates = value("exdates").split(/\s+/).filter(Boolean);
    var payload = {
      partnership: form.getAttribute("data-partnership"),
      rrule: rule(),
      start_date: value("start_date"),
      start_time: value("start_time"),
      duration_minutes: parseInt(value("duration_minutes") || "120", 10),
      exdates: exdates
    };
    if (!payload.start_date || !payload.start_time || exdates.some(function (d) { return !/^\d{4}-\d{2}-\d{2}$/.test(d); })) {
      return; // let the form go: the server names what is missing
    }
    event.preventDefault();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      body: JSON.stringify(payload)
    }).then(function (response) {
      if (!response.ok) throw new Error("preview answered " + response.status);
      return response.json();
    }).then(show).catch(function () {
      var action = document.createElement("input");
      action.type = "hidden"; action.name = "action"; action.value = "preview";
      form.appendChild(action);
      form.submit();
    }).then(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
