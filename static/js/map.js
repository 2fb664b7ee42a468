/* Result and structure maps (Leaflet, vendored). Progressive enhancement: the page already lists
   every relay; the map only places them. Without tiles (offline, blocked tile server) the
   markers still show on a plain background. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function pin(L, className, text) {
    return L.divIcon({
      className: "",
      html: '<div class="map-pin ' + className + '" aria-hidden="true"><span>' + escapeHtml(text) + "</span></div>",
      iconSize: [28, 28],
      iconAnchor: [14, 28],
      popupAnchor: [0, -26]
    });
  }

  function addMarker(L, map, point, className, text, name, popupHtml) {
    var marker = L.marker(point, { icon: pin(L, className, text), title: name }).addTo(map);
    marker.bindPopup(popupHtml);
    var element = marker.getElement();
    if (element) { element.setAttribute("aria-label", name); }
    return marker;
  }

  function init() {
    var container = document.getElementById("map");
    var dataNode = document.getElementById("map-data");
    if (!container || !dataNode || typeof window.L === "undefined") { return; }
    var data;
    try { data = JSON.parse(dataNode.textContent); } catch (e) { return; }
    if (!data || !data.markers) { return; }
    var L = window.L;
    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
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
    var points = [];
    if (data.origin) {
      var originName = (container.getAttribute("data-label-origin") || "") + " : " + data.origin.name;
      addMarker(L, map, [data.origin.lat, data.origin.lon], "map-pin--origin", "●", originName,
        escapeHtml(originName));
      points.push([data.origin.lat, data.origin.lon]);
    }
    // One marker per spot: relays at the same point are listed together in its popup, so that
    // none hides another.
    data.markers.forEach(function (m) {
      var names = m.items.map(function (item) { return item.n + ". " + item.name; });
      var links = m.items.map(function (item) {
        var text = escapeHtml(item.n + ". " + item.name);
        return item.url ? '<a href="' + encodeURI(item.url) + '">' + text + "</a>" : text;
      });
      var popup = links.length > 1 ? "<ul class=\"map-popup-list\"><li>" + links.join("</li><li>") + "</li></ul>" : links[0];
      addMarker(L, map, [m.lat, m.lon], m.fallback ? "map-pin--fallback" : "", m.label,
        names.join(" ; "), popup);
      points.push([m.lat, m.lon]);
    });
    if (points.length === 1) {
      map.setView(points[0], 11);
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 12 });
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
