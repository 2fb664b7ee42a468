/* Coverage map (Leaflet, vendored): each commune as a dot coloured by its state. Progressive
   enhancement: the table of communes is the page's answer; the map only places it. Without
   tiles (offline, blocked tile server) the dots still show on a plain background. */
(function () {
  "use strict";

  // Okabe–Ito colours (safe for colour-blind readers), and a shape cue besides the colour:
  // the gaps are bigger and outlined, the far ones dashed.
  var STYLES = {
    covered: { radius: 4, color: "#ffffff", weight: 1, fillColor: "#0072B2", fillOpacity: 0.9 },
    far: { radius: 5, color: "#1b2230", weight: 1.5, dashArray: "2 2", fillColor: "#E69F00", fillOpacity: 0.95 },
    uncovered: { radius: 5.5, color: "#1b2230", weight: 2, fillColor: "#D55E00", fillOpacity: 0.95 }
  };
  // Gaps drawn last, on top of the covered communes.
  var DRAW_ORDER = { covered: 0, far: 1, uncovered: 2 };

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function km(value, lang) {
    var digits = value < 10 ? 1 : 0;
    return value.toLocaleString(lang, { maximumFractionDigits: digits }) + " km";
  }

  function init() {
    var container = document.getElementById("coverage-map");
    var dataNode = document.getElementById("coverage-map-data");
    if (!container || !dataNode || typeof window.L === "undefined") { return; }
    var data;
    try { data = JSON.parse(dataNode.textContent); } catch (e) { return; }
    if (!data || !data.places) { return; }
    var L = window.L;
    var lang = document.documentElement.lang || "fr";
    var label = function (name) { return container.getAttribute("data-label-" + name) || ""; };
    container.hidden = false;
    var legend = document.getElementById("coverage-legend");
    if (legend) { legend.hidden = false; }
    var map = L.map(container, { scrollWheelZoom: false, preferCanvas: true });
    var tileUrl = container.getAttribute("data-tile-url");
    if (tileUrl) {
      var errors = 0;
      var layer = L.tileLayer(tileUrl, {
        maxZoom: 18,
        attribution: container.getAttribute("data-tile-attribution") || ""
      });
      layer.on("tileerror", function () {
        errors += 1;
        if (errors === 4) { container.classList.add("map--no-tiles"); }
      });
      layer.addTo(map);
    }
    var places = data.places.slice().sort(function (a, b) {
      return DRAW_ORDER[a[2]] - DRAW_ORDER[b[2]];
    });
    var bounds = [];
    places.forEach(function (p) {
      var lat = p[0], lon = p[1], state = p[2], name = p[3], code = p[4];
      var distance = p[5], relay = p[6] == null ? null : data.relays[p[6]], covered = p[7];
      var page = "/territoires/" + encodeURIComponent(p[8]) + "/" + encodeURIComponent(code) + "/";
      var lines = ["<strong><a href=\"" + page + "\" title=\"" + escapeHtml(label("commune-page")) + "\">" +
        escapeHtml(name) + "</a></strong> (" + escapeHtml(code) + ")",
        escapeHtml(label("state")) + " : " + escapeHtml(label(state))];
      if (data.one_service) {
        if (relay) {
          lines.push(escapeHtml(label("relay")) + " : <a href=\"" + encodeURI(relay[1]) + "\">" +
            escapeHtml(relay[0]) + "</a>" + (distance == null ? "" : ", " + escapeHtml(km(distance, lang))));
        } else {
          lines.push(escapeHtml(label("none")));
        }
      } else {
        lines.push(escapeHtml(label("services").replace("%(n)s", covered).replace("%(total)s", data.services)));
      }
      L.circleMarker([lat, lon], STYLES[state] || STYLES.covered)
        .bindPopup(lines.join("<br>"))
        .addTo(map);
      bounds.push([lat, lon]);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 11);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
    } else {
      map.setView([46.6, 2.4], 5);
    }
    container.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
