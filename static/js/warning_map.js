/*
 * The warning form's map (templates/earlywarning/warnings/form.html): draw the warning's
 * polygon on Leaflet (static/vendor/leaflet, no CDN). Click the map to add a point, drag
 * a point to move it, "Undo point" and "Clear". The polygon is written into the form's
 * textarea as CAP text — "lat,lon lat,lon …" (WGS-84), the first point repeated last —
 * and text typed or pasted there is drawn on the map.
 *
 * Also: the "opens a key period" box is offered for orange and red only.
 *
 * window.WarningMap exposes the map and its points for the browser tests.
 */
(function () {
  "use strict";

  var DIGITS = 5;

  function readConfig() {
    var el = document.getElementById("warning-map-config");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function round(n) {
    return Number(n.toFixed(DIGITS));
  }

  // "lat,lon lat,lon …" → [[lat, lon], …] without the closing point; null when not CAP text.
  function parse(text) {
    var tokens = String(text || "").trim().split(/\s+/).filter(Boolean);
    var points = [];
    for (var i = 0; i < tokens.length; i++) {
      var parts = tokens[i].split(",");
      if (parts.length !== 2) return null;
      var lat = Number(parts[0]);
      var lon = Number(parts[1]);
      if (parts[0] === "" || parts[1] === "" || isNaN(lat) || isNaN(lon)) return null;
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return null;
      points.push([lat, lon]);
    }
    if (points.length > 1) {
      var first = points[0];
      var last = points[points.length - 1];
      if (first[0] === last[0] && first[1] === last[1]) points.pop();
    }
    return points;
  }

  function format(points) {
    if (!points.length) return "";
    var ring = points.slice();
    if (ring.length >= 3) ring.push(ring[0]); // a closed ring, as CAP wants it
    return ring
      .map(function (p) {
        return round(p[0]) + "," + round(p[1]);
      })
      .join(" ");
  }

  function keyPeriodField() {
    var wrapper = document.getElementById("field-opens_key_period");
    var level = document.getElementById("id_level");
    if (!wrapper || !level) return;
    var levels = (wrapper.getAttribute("data-key-levels") || "").split(",");
    var box = wrapper.querySelector("input[type=checkbox]");
    function sync() {
      var offered = levels.indexOf(level.value) >= 0;
      wrapper.hidden = !offered;
      if (!offered && box) box.checked = false;
    }
    level.addEventListener("change", sync);
    sync();
  }

  function startMap() {
    var container = document.getElementById("warning-map");
    var textarea = document.getElementById("id_polygon");
    if (!container || !textarea || !window.L) return;
    var cfg = readConfig();
    var map = L.map(container, { zoomSnap: 0.25, attributionControl: Boolean(cfg.tileUrl) });
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: 18 }).addTo(map);
      map.attributionControl.setPrefix(false);
    } else {
      container.classList.add("no-tiles");
    }
    map.setView(cfg.center || [36.84, 115.71], 10);

    var points = [];
    var markers = [];
    var shape = L.polygon([], { color: "#d32f2f", weight: 2, fillOpacity: 0.2 }).addTo(map);
    var vertexIcon = L.divIcon({ className: "polygon-vertex", iconSize: [14, 14] });

    function write() {
      textarea.value = format(points);
      textarea.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function redraw() {
      shape.setLatLngs(points.length >= 2 ? points : []);
      markers.forEach(function (m) {
        map.removeLayer(m);
      });
      markers = points.map(function (point, index) {
        var marker = L.marker(point, { draggable: true, icon: vertexIcon, keyboard: false });
        marker.on("drag", function (e) {
          var at = e.target.getLatLng();
          points[index] = [at.lat, at.lng];
          shape.setLatLngs(points.length >= 2 ? points : []);
        });
        marker.on("dragend", function () {
          write();
        });
        return marker.addTo(map);
      });
      container.setAttribute("data-points", String(points.length));
    }

    function fromText(fit) {
      var parsed = parse(textarea.value);
      textarea.classList.toggle("is-invalid", parsed === null && textarea.value.trim() !== "");
      if (parsed === null) return;
      points = parsed;
      redraw();
      if (fit && points.length >= 2) map.fitBounds(shape.getBounds(), { padding: [24, 24] });
    }

    map.on("click", function (e) {
      points.push([e.latlng.lat, e.latlng.lng]);
      redraw();
      write();
    });
    document.getElementById("polygon-clear").addEventListener("click", function () {
      points = [];
      redraw();
      write();
    });
    document.getElementById("polygon-undo").addEventListener("click", function () {
      points.pop();
      redraw();
      write();
    });
    textarea.addEventListener("input", function () {
      fromText(false);
    });
    textarea.addEventListener("paste", function () {
      window.setTimeout(function () {
        fromText(true);
      }, 0);
    });
    textarea.addEventListener("blur", function () {
      fromText(true);
    });

    if (cfg.outlineUrl) {
      fetch(cfg.outlineUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("outline " + response.status);
          return response.json();
        })
        .then(function (collection) {
          var own = null;
          var layer = L.geoJSON(collection, {
            interactive: false,
            style: function (feature) {
              var isOwn = (feature.properties || {}).code === cfg.jurisdiction;
              return isOwn
                ? { color: "#1976d2", weight: 2, fillOpacity: 0.04 }
                : { color: "#607d8b", weight: 1, dashArray: "4 4", fillOpacity: 0 };
            },
            onEachFeature: function (feature, featureLayer) {
              if ((feature.properties || {}).code === cfg.jurisdiction) own = featureLayer;
            },
          }).addTo(map);
          layer.bringToBack();
          if (points.length < 2) {
            var bounds = (own || layer).getBounds();
            if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
          }
        })
        .catch(function () {
          /* no outline: the map still draws */
        });
    }

    fromText(true);
    window.WarningMap = {
      map: map,
      points: function () {
        return points.slice();
      },
    };
  }

  keyPeriodField();
  startMap();
})();
