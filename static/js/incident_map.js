/*
 * The incident form's map (templates/command/incident_form.html): click the map to
 * place the incident, drag the marker to move it; the point is written into the
 * latitude and longitude fields as WGS-84 (the datum select is set to WGS-84, since the
 * map's tiles and outline are WGS-84). Coordinates typed into the fields move the marker
 * when they are WGS-84; coordinates read on a Gaode/Tencent (GCJ-02) or Baidu (BD-09) map
 * are typed with that datum selected and converted by the server.
 *
 * Tiles come from MAP_TILE_URL (an intranet Tianditu or offline tile server); without one
 * the jurisdiction's outline is drawn instead. No inline script (CSP): the configuration
 * is the JSON element #incident-map-config.
 *
 * window.IncidentMap exposes the map and the marker for the browser tests.
 */
(function () {
  "use strict";

  var DIGITS = 6;

  function readConfig() {
    var el = document.getElementById("incident-map-config");
    try {
      return el ? JSON.parse(el.textContent) : {};
    } catch (e) {
      return {};
    }
  }

  function round(n) {
    return Number(n.toFixed(DIGITS));
  }

  function startMap() {
    var container = document.getElementById("incident-map");
    var latField = document.getElementById("id_latitude");
    var lonField = document.getElementById("id_longitude");
    var datumField = document.getElementById("id_datum");
    if (!container || !latField || !lonField || !window.L) return;
    var cfg = readConfig();
    // The marker's images sit beside leaflet.js (static/vendor/leaflet/images/); Leaflet's
    // own guess from the stylesheet fails once static files carry hashed names.
    var script = document.querySelector('script[src*="vendor/leaflet/leaflet"]');
    if (script && L.Icon && L.Icon.Default) {
      L.Icon.Default.prototype.options.imagePath = script.src.replace(/[^/]*$/, "") + "images/";
    }
    var map = L.map(container, { zoomSnap: 0.25, attributionControl: Boolean(cfg.tileUrl) });
    if (cfg.tileUrl) {
      L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: 18 }).addTo(map);
      map.attributionControl.setPrefix(false);
    } else {
      container.classList.add("no-tiles");
    }
    map.setView(cfg.center || [36.84, 115.71], 10);
    var marker = null;

    function isWgs84() {
      return !datumField || !datumField.value || datumField.value === "wgs84";
    }

    function write(latlng) {
      latField.value = round(latlng.lat);
      lonField.value = round(latlng.lng);
      if (datumField) datumField.value = "wgs84";
      latField.dispatchEvent(new Event("change", { bubbles: true }));
      container.setAttribute("data-picked", latField.value + "," + lonField.value);
    }

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function (e) {
          write(e.target.getLatLng());
        });
      }
    }

    function fromFields(pan) {
      var lat = Number(latField.value);
      var lon = Number(lonField.value);
      if (latField.value === "" || lonField.value === "" || isNaN(lat) || isNaN(lon)) return;
      if (lat < -90 || lat > 90 || lon < -180 || lon > 180 || !isWgs84()) return;
      place([lat, lon]);
      if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 13));
    }

    map.on("click", function (e) {
      place(e.latlng);
      write(e.latlng);
    });
    [latField, lonField, datumField].forEach(function (field) {
      if (field) {
        field.addEventListener("change", function () {
          fromFields(false);
        });
      }
    });
    document.getElementById("incident-map-clear").addEventListener("click", function () {
      if (marker) map.removeLayer(marker);
      marker = null;
      latField.value = "";
      lonField.value = "";
      container.removeAttribute("data-picked");
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
          if (!marker) {
            var bounds = (own || layer).getBounds();
            if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
          }
        })
        .catch(function () {
          /* no outline: the map still draws */
        });
    }

    fromFields(true);
    window.IncidentMap = {
      map: map,
      marker: function () {
        return marker;
      },
    };
  }

  startMap();
})();
