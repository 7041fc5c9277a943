/*
 * The shelter map of the shelter list and detail pages (templates/support/shelters/):
 * Leaflet from static/vendor/leaflet (no CDN). Tiles when MAP_TILE_URL is set, else the
 * jurisdiction's outline (static/geo) on a plain background, as the warning map does.
 * Markers come from the page's JSON (#shelter-map-config): name, capacity, area; a click
 * opens the shelter's page.
 *
 * window.ShelterMap exposes the map and its markers for the browser tests.
 */
(function () {
  "use strict";

  function readConfig() {
    var el = document.getElementById("shelter-map-config");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function tooltip(shelter, cfg) {
    var div = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = shelter.name;
    div.appendChild(name);
    var line = document.createElement("div");
    line.textContent =
      (cfg.capacityLabel || "Capacity") + " " + shelter.capacity + " · " +
      (cfg.areaLabel || "m²") + " " + shelter.area_m2;
    div.appendChild(line);
    return div;
  }

  function start() {
    var container = document.getElementById("shelter-map");
    if (!container || !window.L) return;
    var cfg = readConfig();
    var map = L.map(container, { zoomSnap: 0.25, attributionControl: Boolean(cfg.tileUrl) });
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: 18 }).addTo(map);
      map.attributionControl.setPrefix(false);
    } else {
      container.classList.add("no-tiles");
    }
    map.setView(cfg.center || [36.84, 115.71], 9);

    var icon = L.divIcon({ className: "shelter-marker", iconSize: [12, 12] });
    var markers = [];
    var points = [];
    (cfg.shelters || []).forEach(function (shelter) {
      var marker = L.marker([shelter.lat, shelter.lng], { icon: icon, keyboard: false, title: shelter.name });
      marker.bindTooltip(tooltip(shelter, cfg), { direction: "top" });
      if (cfg.detailUrl) {
        marker.on("click", function () {
          window.location.href = cfg.detailUrl.replace("/0/", "/" + shelter.id + "/");
        });
      }
      marker.addTo(map);
      markers.push(marker);
      points.push([shelter.lat, shelter.lng]);
    });
    if (points.length === 1) {
      map.setView(points[0], 14);
    } else if (points.length) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13 });
    }

    if (cfg.outlineUrl && !cfg.tileUrl) {
      fetch(cfg.outlineUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("outline " + response.status);
          return response.json();
        })
        .then(function (collection) {
          var layer = L.geoJSON(collection, {
            style: function (feature) {
              var own = feature.properties && feature.properties.code === cfg.jurisdiction;
              return own
                ? { color: "#1565c0", weight: 2, fillColor: "#e3f2fd", fillOpacity: 0.5 }
                : { color: "#90a4ae", weight: 1, dashArray: "4 4", fillOpacity: 0.1 };
            },
            interactive: false,
          }).addTo(map);
          layer.bringToBack();
          if (!points.length && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
        })
        .catch(function () {
          /* no outline: the markers still show */
        });
    }
    container.setAttribute("data-markers", String(markers.length));
    window.ShelterMap = { map: map, markers: markers };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
