/* The pathway map: draws the graph embedded in the page (#map-data) with cytoscape.js.
   Selecting a node or an edge (on the canvas, or with the table's buttons, by keyboard) shows its
   details. window.servicemapRendered holds performance.now() at cytoscape's first "render" event. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var container = document.getElementById("map-canvas");
  var details = document.getElementById("map-details");
  var SECTOR_COLOURS = {
    "health": "#0b5c7a",
    "education-and-care": "#7a3e9d",
    "community-services": "#a34a00",
    "": "#4a525c"
  };
  var METHOD_STYLE = {
    phone: "solid", warm_handover: "solid", online_form: "dashed", e_referral: "dashed", email: "dotted", letter: "dotted"
  };
  var elements = [];
  var byId = {};
  data.nodes.forEach(function (n) {
    byId[n.id] = n;
    elements.push({
      group: "nodes",
      data: { id: n.id, label: n.label, colour: SECTOR_COLOURS[n.sector] || SECTOR_COLOURS[""] },
      classes: [n.kind, n.is_acco ? "acco" : "", n.highlighted ? "highlighted" : ""].join(" ")
    });
  });
  data.edges.forEach(function (e) {
    byId[e.id] = e;
    elements.push({
      group: "edges",
      data: { id: e.id, source: e.source, target: e.target, lineStyle: METHOD_STYLE[e.method] || "solid" },
      classes: [e.urgency, e.highlighted ? "highlighted" : ""].join(" ")
    });
  });
  var small = data.nodes.length <= 150;
  var cy = cytoscape({
    container: container,
    elements: elements,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 9, "color": "#1b1f24",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": "110px",
        "width": 22, "height": 22, "border-width": 1, "border-color": "#1b1f24"
      } },
      { selector: "node.role", style: { "shape": "round-rectangle", "background-color": "#e8ecef", "width": 30 } },
      { selector: "node.acco", style: { "shape": "octagon", "border-width": 5, "border-color": "#b8860b" } },
      { selector: "node.highlighted", style: { "underlay-color": "#ffbf47", "underlay-padding": 6, "underlay-opacity": 0.9 } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#6b7580", "target-arrow-color": "#6b7580", "target-arrow-shape": "triangle",
        "curve-style": small ? "bezier" : "straight", "line-style": "data(lineStyle)", "arrow-scale": 0.8
      } },
      { selector: "edge.urgent", style: { "width": 3, "line-color": "#a1161b", "target-arrow-color": "#a1161b" } },
      { selector: "edge.highlighted", style: { "width": 5, "line-color": "#e0a000", "target-arrow-color": "#e0a000", "z-index": 10 } },
      { selector: ":selected", style: { "overlay-color": "#ffbf47", "overlay-opacity": 0.45, "overlay-padding": 6 } }
    ],
    layout: small
      ? { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 80; } }
      : { name: "concentric", animate: false, concentric: function (node) { return node.degree(); }, levelWidth: function () { return 4; }, minNodeSpacing: 4 }
  });
  cy.one("render", function () { window.servicemapRendered = performance.now(); });
  window.servicemap = cy;

  function addFact(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    var dt = document.createElement("dt"); dt.textContent = term;
    var dd = document.createElement("dd"); dd.textContent = value;
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function ages(low, high) {
    if (low === null && high === null) return "Any age";
    var y = function (m) { return m % 12 === 0 ? (m / 12) + " years" : m + " months"; };
    if (low === null) return "Up to " + y(high);
    if (high === null) return "From " + y(low);
    return y(low) + " to " + y(high);
  }
  function show(id) {
    var item = byId[id];
    if (!item) return;
    details.textContent = "";
    var h = document.createElement("h3"); h.textContent = item.label; details.appendChild(h);
    var dl = document.createElement("dl"); dl.className = "facts compact";
    if (item.source) {
      addFact(dl, "Pathway for", item.needs.join(", "));
      addFact(dl, "Method", item.method_name);
      addFact(dl, "Urgency", item.urgency === "urgent" ? "Urgent route: seen within " + item.urgent_target_days + " days" : "Routine");
      addFact(dl, "Typical wait", item.typical_wait_days === null ? "Not known" : "About " + item.typical_wait_days + " days");
    } else if (item.kind === "role") {
      addFact(dl, "Referrer role", "Pathways start from it: " + item.outbound);
    } else {
      addFact(dl, "Organisation", item.organization);
      addFact(dl, "Sector", item.sector_name);
      addFact(dl, "Needs", item.needs.join(", "));
      if (item.is_acco) addFact(dl, "ACCO", "Aboriginal Community Controlled Organisation");
      addFact(dl, "Ages", ages(item.age_min_months, item.age_max_months));
      addFact(dl, "Verification", item.verification);
      addFact(dl, "Pathways", item.inbound + " in, " + item.outbound + " out");
    }
    details.appendChild(dl);
    if (item.url) {
      var a = document.createElement("a"); a.href = item.url;
      a.textContent = item.source ? "Open the pathway card" : "Open the service page";
      var p = document.createElement("p"); p.appendChild(a); details.appendChild(p);
    }
  }
  cy.on("tap", "node, edge", function (event) { show(event.target.id()); });
  document.querySelectorAll("[data-select]").forEach(function (button) {
    button.addEventListener("click", function () {
      var id = button.getAttribute("data-select");
      cy.elements().unselect();
      var ele = cy.getElementById(id);
      if (ele.length) { ele.select(); cy.center(ele); }
      show(id);
    });
  });
})();
