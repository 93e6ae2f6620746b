/* The pathway map: draws the graph embedded in the page (#map-data) with cytoscape.js, laid out by fCoSE
   (static/vendor/cytoscape-fcose/) with each label's size counted as part of its node, then nudged apart
   until no two labels overlap, then fitted. Selecting a node or an edge (on the canvas, or with the table's
   buttons, by keyboard) shows its details; "Focus on this service" shows just its neighbourhood (the
   services referring to it and those it refers to) and "Show the whole map" brings the rest back. The zoom
   buttons zoom about the centre. window.servicemapRendered holds performance.now() at cytoscape's first
   "render" event; window.servicemapReady is true once the layout has settled (the browser tests wait for it),
   window.servicemapReadyAt is performance.now() then.
   A network of more than 150 nodes is first drawn in rings by degree (cheap), and laid out by fCoSE right after
   that first frame; a smaller one is laid out before it is first drawn. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var container = document.getElementById("map-canvas");
  var details = document.getElementById("map-details");
  var status = document.getElementById("map-focus-status");
  var SECTOR_COLOURS = {
    "health": "#0b5c7a",
    "education-and-care": "#7a3e9d",
    "community-services": "#a34a00",
    "": "#4a525c"
  };
  var METHOD_STYLE = {
    phone: "solid", warm_handover: "solid", online_form: "dashed", e_referral: "dashed", email: "dotted", letter: "dotted"
  };
  var LABEL_GAP = 4; // model pixels kept clear between any two labels
  var READABLE_ZOOM = 0.6; // 12 px labels at 0.6 are about 7 px on screen: smaller than that, nobody reads them
  if (window.cytoscapeFcose) { cytoscape.use(window.cytoscapeFcose); }
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
    minZoom: 0.2,
    maxZoom: 4,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "font-size": 12, "color": "#1b1f24",
        "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "wrap", "text-max-width": "120px",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": "1px",
        "width": 20, "height": 20, "border-width": 1, "border-color": "#1b1f24"
      } },
      { selector: "node.role", style: { "shape": "round-rectangle", "background-color": "#e8ecef", "width": 28 } },
      { selector: "node.acco", style: { "shape": "octagon", "border-width": 5, "border-color": "#b8860b" } },
      { selector: "node.highlighted", style: { "underlay-color": "#ffbf47", "underlay-padding": 6, "underlay-opacity": 0.9 } },
      { selector: "node.focus", style: { "border-width": 4, "border-color": "#073f54", "font-weight": "bold" } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#6b7580", "target-arrow-color": "#6b7580", "target-arrow-shape": "triangle",
        "curve-style": small ? "bezier" : "straight", "line-style": "data(lineStyle)", "arrow-scale": 0.8, "opacity": 0.8
      } },
      { selector: "edge.urgent", style: { "width": 3, "line-color": "#a1161b", "target-arrow-color": "#a1161b" } },
      { selector: "edge.highlighted", style: { "width": 5, "line-color": "#e0a000", "target-arrow-color": "#e0a000", "z-index": 10 } },
      { selector: ":selected", style: { "overlay-color": "#ffbf47", "overlay-opacity": 0.45, "overlay-padding": 6 } }
    ],
    // A large network takes fCoSE a few seconds: it is drawn at once in rings (the best connected in the middle),
    // and laid out properly just after that first frame. A small one is laid out before it is drawn.
    layout: small ? { name: "preset" } : {
      name: "concentric", fit: true, padding: 24, animate: false, minNodeSpacing: 4,
      concentric: function (node) { return node.degree(); }, levelWidth: function () { return 4; }
    }
  });
  window.servicemap = cy;

  function overlap(a, b) {
    return a.x1 < b.x2 + LABEL_GAP && b.x1 < a.x2 + LABEL_GAP && a.y1 < b.y2 + LABEL_GAP && b.y1 < a.y2 + LABEL_GAP;
  }
  /* Pushes apart every pair of nodes whose boxes (node and label) overlap, along the axis that needs the
     smaller move, until none do. Fitting afterwards scales everything alike, so none overlap on screen. */
  function separateLabels(nodes) {
    var list = nodes.toArray();
    var boxes = list.map(function (n) { return n.boundingBox({ includeLabels: true, includeOverlays: false }); });
    for (var round = 0; round < 400; round++) {
      var moved = false;
      for (var i = 0; i < list.length; i++) {
        for (var j = i + 1; j < list.length; j++) {
          var a = boxes[i], b = boxes[j];
          if (!overlap(a, b)) continue;
          var dx = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) + LABEL_GAP + 0.5;
          var dy = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) + LABEL_GAP + 0.5;
          var ax = (a.x1 + a.x2) / 2, bx = (b.x1 + b.x2) / 2, ay = (a.y1 + a.y2) / 2, by = (b.y1 + b.y2) / 2;
          var mx = 0, my = 0;
          if (dy <= dx) { my = (ay <= by ? -1 : 1) * dy / 2; } else { mx = (ax <= bx ? -1 : 1) * dx / 2; }
          [[i, mx, my], [j, -mx, -my]].forEach(function (m) {
            var node = list[m[0]], box = boxes[m[0]], p = node.position();
            node.position({ x: p.x + m[1], y: p.y + m[2] });
            box.x1 += m[1]; box.x2 += m[1]; box.y1 += m[2]; box.y2 += m[2];
          });
          moved = true;
        }
      }
      if (!moved) return;
    }
  }
  function arrange(eles, done) {
    var nodes = eles.nodes();
    var layout = eles.layout(window.cytoscapeFcose ? {
      name: "fcose", animate: false, randomize: true, quality: small ? "proof" : "default",
      nodeDimensionsIncludeLabels: true, packComponents: true, nodeSeparation: 40,
      idealEdgeLength: function () { return 55; }, nodeRepulsion: function () { return 5000; },
      edgeElasticity: function () { return 0.45; }, gravity: 0.6, gravityRange: 2.5, numIter: 2500,
      tilingPaddingVertical: 8, tilingPaddingHorizontal: 8, fit: false
    } : { name: "cose", animate: false, fit: false, nodeDimensionsIncludeLabels: true });
    layout.one("layoutstop", function () {
      separateLabels(nodes);
      cy.fit(eles, 24);
      // On a small screen the whole network is too small to read: start closer in, at its centre (pan and
      // the zoom buttons reach the rest; "Fit to screen" shows it all).
      if (cy.zoom() < READABLE_ZOOM) {
        cy.zoom({ level: READABLE_ZOOM, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
      }
      if (done) done();
    });
    layout.run();
  }
  function settle() {
    arrange(cy.elements(), function () { window.servicemapReadyAt = performance.now(); window.servicemapReady = true; });
  }
  cy.one("render", function () {
    window.servicemapRendered = performance.now();
    if (!small) {
      // After the browser has painted the first frame (a timeout inside the next animation frame).
      requestAnimationFrame(function () { setTimeout(settle, 0); });
    }
  });
  if (small) settle();

  /* Zoom about the centre of the canvas, by buttons (the wheel and pinch work too). */
  function zoomBy(factor) {
    var level = Math.max(cy.minZoom(), Math.min(cy.maxZoom(), cy.zoom() * factor));
    cy.zoom({ level: level, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }
  function on(id, handler) { var el = document.getElementById(id); if (el) el.addEventListener("click", handler); }
  on("map-zoom-in", function () { zoomBy(1.25); });
  on("map-zoom-out", function () { zoomBy(0.8); });
  on("map-fit", function () { cy.fit(cy.elements(":visible"), 24); });

  /* Focus: only the service, the services and roles with a pathway to it, and those it has a pathway to. */
  var focused = null;
  function focusOn(id) {
    var node = cy.getElementById(id);
    if (!node.length) return;
    focused = id;
    var hood = node.closedNeighborhood();
    cy.batch(function () {
      cy.elements().removeClass("focus");
      cy.elements().not(hood).style("display", "none");
      hood.style("display", "element");
      node.addClass("focus");
    });
    arrange(hood, function () {
      var inbound = node.incomers("node").length, outbound = node.outgoers("node").length;
      status.textContent = "Showing " + byId[id].label + " with the " + inbound + " referring to it and the " +
        outbound + " it refers to.";
      document.getElementById("map-unfocus").hidden = false;
    });
  }
  function unfocus() {
    if (focused === null) return;
    focused = null;
    cy.batch(function () { cy.elements().style("display", "element"); cy.elements().removeClass("focus"); });
    arrange(cy.elements());
    status.textContent = "Showing the whole map.";
    document.getElementById("map-unfocus").hidden = true;
  }
  on("map-unfocus", unfocus);

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
    if (!item.source) {
      var focus = document.createElement("button");
      focus.type = "button"; focus.className = "button button-secondary";
      focus.textContent = "Focus on this " + (item.kind === "role" ? "role" : "service");
      focus.addEventListener("click", function () { focusOn(id); });
      var fp = document.createElement("p"); fp.appendChild(focus); details.appendChild(fp);
    }
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
      if (ele.length && ele.style("display") === "none") unfocus();
      if (ele.length) { ele.select(); cy.center(ele); }
      show(id);
    });
  });
})();
