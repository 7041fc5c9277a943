/*
 * Command-hall screen (指挥大厅大屏) and duty dashboard (值班看板). Loaded after live.js.
 *
 * Channels only rings the doorbell (RELIABILITY.md): live.js fetches the events (over the
 * socket, or by polling the feed where there is none), keeps the badge, and calls onEvent.
 * On each event the screen adds a feed line and re-reads its JSON (counters, map); the
 * dashboard's htmx panels re-fetch themselves on the `linkage:event` document event, and
 * live.js starts the dashboard by itself (data-live-root). Nothing here ever reloads the
 * page. The feed sentences come from the server: the first paint and the feed JSON carry
 * them, and live events are filled from the same table, sent as page data (hall-labels).
 */
(function () {
  "use strict";

  var body = document.body;
  var hall = {
    kind: body.dataset.hall || "",
    loadedAt: Date.now(),
    mode: null,        // "websocket" or "polling" (live.js decides)
    status: "connecting",
    refreshes: 0,      // completed data refreshes (tests watch this, never a reload)
    eventsSeen: 0,
    lastSeq: parseInt(body.dataset.liveSeq || "0", 10) || 0,
  };
  window.LinkageHall = hall;

  var HEARTBEAT_MS = 60000;
  var FEED_MAX = 60;

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // 万/亿 on dashboards (ECOSYSTEM.md); small numbers as they are.
  function formatCount(n) {
    n = Number(n) || 0;
    if (Math.abs(n) >= 1e8) return trim(n / 1e8, 2) + "亿";
    if (Math.abs(n) >= 1e4) return trim(n / 1e4, 1) + "万";
    return String(n);
  }
  function trim(x, digits) {
    return x.toFixed(digits).replace(/\.?0+$/, "");
  }

  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] == null ? "" : String(values[key]);
    });
  }

  // ---- the wall screen -------------------------------------------------------------------

  function startScreen() {
    var cfg = readJson("hall-config") || {};
    var labels = readJson("hall-labels") || {};
    var LEVEL_COLOURS = {
      i: "#e53935",
      ii: "#fb8c00",
      iii: "#fdd835",
      iv: "#1e88e5",
      unassessed: "#9e9e9e",
    };
    var LEVEL_ORDER = ["i", "ii", "iii", "iv", "unassessed"];
    var FORCE_COLOURS = {
      standby: "#43a047",
      deployed: "#ec407a",
      resting: "#8d99ae",
      unavailable: "#555f6b",
    };
    var timeFormat = new Intl.DateTimeFormat("zh-CN", {
      timeZone: labels.time_zone || "Asia/Shanghai",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    });
    var clockFormat = new Intl.DateTimeFormat("zh-CN", {
      timeZone: labels.time_zone || "Asia/Shanghai",
      year: "numeric",
      month: "long",
      day: "numeric",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hour12: false,
    });

    // Clock (北京时间).
    var clock = document.getElementById("hall-clock");
    function tickClock() {
      if (clock) clock.textContent = clockFormat.format(new Date());
    }
    tickClock();
    window.setInterval(tickClock, 1000);

    // ---- map ----
    var map = null;
    var incidentLayer = null;
    var forceLayer = null;
    var shelterLayer = null;
    var fitted = false;
    if (window.L && document.getElementById("map")) {
      map = L.map("map", {
        zoomControl: false,
        attributionControl: Boolean(cfg.tileUrl),
        zoomSnap: 0.25,
        preferCanvas: false,
      });
      if (cfg.tileUrl) {
        L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: 18 }).addTo(map);
        map.attributionControl.setPrefix(false);
      } else {
        document.getElementById("map").classList.add("no-tiles");
      }
      if (cfg.center && cfg.center[0] != null) {
        map.setView(cfg.center, 9);
      } else {
        map.setView([36.45, 116.0], 8);
      }
      // Area names sit under the markers (Leaflet puts tooltips above everything).
      map.createPane("areaLabels").style.zIndex = 450;
      // Emergency shelters: under forces and incidents, shown or hidden by the legend's box.
      shelterLayer = L.layerGroup().addTo(map);
      forceLayer = L.layerGroup().addTo(map);
      incidentLayer = L.layerGroup().addTo(map);
      var shelterToggle = document.getElementById("toggle-shelters");
      if (shelterToggle) {
        shelterToggle.addEventListener("change", function () {
          if (shelterToggle.checked) shelterLayer.addTo(map);
          else map.removeLayer(shelterLayer);
        });
      }
      loadOutline();
    }

    function loadOutline() {
      if (!cfg.outlineUrl) return;
      fetch(cfg.outlineUrl, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("outline " + response.status);
          return response.json();
        })
        .then(function (collection) {
          var own = null;
          var demo = false;
          var layer = L.geoJSON(collection, {
            style: function (feature) {
              var isOwn = feature.properties.code === cfg.jurisdiction;
              return isOwn
                ? { color: "#4fc3f7", weight: 3, fillColor: "#0e2a47", fillOpacity: cfg.tileUrl ? 0.05 : 0.55 }
                : { color: "#2f6f9f", weight: 1.2, dashArray: "4 4", fillColor: "#0c2440", fillOpacity: cfg.tileUrl ? 0 : 0.35 };
            },
            onEachFeature: function (feature, featureLayer) {
              var props = feature.properties || {};
              if (props.demo) demo = true;
              if (props.code === cfg.jurisdiction) own = featureLayer;
              // Name the areas inside the jurisdiction; the header already names it.
              if (props.code !== cfg.jurisdiction) {
                featureLayer.bindTooltip(props.name || "", {
                  permanent: true,
                  direction: "center",
                  className: "area-label",
                  pane: "areaLabels",
                });
              }
            },
            interactive: false,
          });
          layer.addTo(map);
          layer.bringToBack();
          var bounds = (own || layer).getBounds();
          if (bounds.isValid()) {
            map.fitBounds(bounds, { padding: [24, 24] });
            fitted = true;
          }
          var note = document.getElementById("map-note");
          if (note && demo && !cfg.tileUrl) note.hidden = false;
        })
        .catch(function () {
          /* no outline: markers still show, and are fitted below */
        });
    }

    function incidentIcon(incident) {
      var level = LEVEL_COLOURS[incident.level] ? incident.level : "unassessed";
      return L.divIcon({
        className: "inc-marker level-" + level,
        html: '<span class="pulse"></span><span class="core"></span>',
        iconSize: [22, 22],
        iconAnchor: [11, 11],
      });
    }

    function tooltipContent(lines) {
      var div = document.createElement("div");
      lines.forEach(function (line, index) {
        var el = document.createElement(index === 0 ? "strong" : "div");
        el.textContent = line;
        div.appendChild(el);
      });
      return div;
    }

    function renderMap(data) {
      if (!map) return;
      incidentLayer.clearLayers();
      forceLayer.clearLayers();
      shelterLayer.clearLayers();
      var points = [];
      var shelterIcon = L.divIcon({ className: "shelter-marker", iconSize: [9, 9] });
      (data.shelters || []).forEach(function (shelter) {
        L.marker([shelter.lat, shelter.lng], { icon: shelterIcon, keyboard: false, interactive: true })
          .bindTooltip(
            tooltipContent([
              shelter.name,
              (labels.shelter_capacity || "") + " " + shelter.capacity + " · " +
                (labels.shelter_area || "") + " " + shelter.area_m2,
            ])
          )
          .addTo(shelterLayer);
      });
      var mapEl = document.getElementById("map");
      if (mapEl) mapEl.setAttribute("data-shelters", String((data.shelters || []).length));
      (data.forces || []).forEach(function (force) {
        if (force.lat == null || force.lng == null) return;
        L.circleMarker([force.lat, force.lng], {
          radius: force.status === "deployed" ? 5 : 3.5,
          stroke: false,
          fillColor: FORCE_COLOURS[force.status] || "#888",
          fillOpacity: 0.9,
          className: "force-marker force-" + force.status,
        })
          .bindTooltip(
            tooltipContent([force.name, (labels.force_status || {})[force.status] || force.status])
          )
          .addTo(forceLayer);
        points.push([force.lat, force.lng]);
      });
      var severity = { i: 4, ii: 3, iii: 2, iv: 1, unassessed: 0 };
      (data.incidents || []).forEach(function (incident) {
        if (incident.lat == null || incident.lng == null) return;
        var marker = L.marker([incident.lat, incident.lng], {
          icon: incidentIcon(incident),
          zIndexOffset: 1000 + (severity[incident.level] || 0) * 100,
          keyboard: false,
        });
        marker.bindTooltip(
          tooltipContent([
            incident.title,
            ((labels.levels || {})[incident.level] || "") + " · " + (incident.jurisdiction_name || ""),
          ]),
          { direction: "top", offset: [0, -10] }
        );
        if (incident.url) {
          marker.on("click", function () {
            window.open(incident.url, "_blank", "noopener");
          });
        }
        marker.addTo(incidentLayer);
        points.push([incident.lat, incident.lng]);
      });
      if (!fitted && !cfg.outlineUrl && points.length) {
        map.fitBounds(L.latLngBounds(points), { padding: [40, 40], maxZoom: 11 });
        fitted = true;
      }
    }

    // ---- counters and lists ----
    var levelChart = null;
    var chartEl = document.getElementById("level-chart");
    if (window.echarts && chartEl) {
      levelChart = echarts.init(chartEl, "dark", { locale: "ZH" });
    }

    function setCount(el, n) {
      if (!el) return;
      var old = el.dataset.value;
      el.dataset.value = String(n);
      el.textContent = formatCount(n);
      if (old !== undefined && old !== String(n)) {
        el.classList.remove("bump");
        void el.offsetWidth; // restart the animation
        el.classList.add("bump");
      }
    }

    function renderLists(data) {
      document.querySelectorAll("[data-counter]").forEach(function (el) {
        setCount(el, (data.counters || {})[el.dataset.counter] || 0);
      });
      var orders = data.orders_by_status || {};
      var maxOrders = 1;
      Object.keys(orders).forEach(function (k) {
        maxOrders = Math.max(maxOrders, orders[k]);
      });
      document.querySelectorAll("#orders-by-status [data-status]").forEach(function (li) {
        var n = orders[li.dataset.status] || 0;
        setCount(li.querySelector(".status-count"), n);
        li.querySelector(".status-fill").style.width = (100 * n) / maxOrders + "%";
      });
      var forces = data.forces_by_status || {};
      document.querySelectorAll("#forces-by-status [data-status]").forEach(function (li) {
        setCount(li.querySelector(".status-count"), forces[li.dataset.status] || 0);
      });
      if (levelChart) {
        var byLevel = data.incidents_by_level || {};
        var total = 0;
        var series = LEVEL_ORDER.map(function (level) {
          total += byLevel[level] || 0;
          return {
            name: (labels.levels || {})[level] || level,
            value: byLevel[level] || 0,
            itemStyle: { color: LEVEL_COLOURS[level] },
          };
        });
        levelChart.setOption({
          backgroundColor: "transparent",
          tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
          title: {
            text: formatCount(total),
            left: "center",
            top: "center",
            textStyle: { fontSize: 28, color: "#e8f4ff", fontWeight: "bold" },
          },
          series: [
            {
              type: "pie",
              radius: ["40%", "60%"],
              avoidLabelOverlap: true,
              label: { show: true, color: "#cfe3f7", formatter: "{b}\n{c}", fontSize: 13, lineHeight: 18 },
              labelLine: { length: 8, length2: 6 },
              data: series.filter(function (item) {
                return item.value > 0;
              }),
            },
          ],
        }, true);
      }
    }

    function renderRollCalls(data) {
      var panel = document.getElementById("roll-call-panel");
      var list = document.getElementById("roll-calls");
      if (!panel || !list) return;
      var items = data.roll_calls || [];
      panel.hidden = items.length === 0;
      list.textContent = "";
      items.forEach(function (rc) {
        var li = document.createElement("li");
        li.className = "rollcall-item";
        li.dataset.id = rc.id;
        li.dataset.answered = rc.answered;
        li.dataset.waiting = rc.waiting;
        li.dataset.late = rc.late;
        var head = document.createElement("div");
        head.className = "rollcall-head";
        var name = document.createElement("span");
        name.textContent = rc.jurisdiction_name + " " + rc.started_time; // local, from the server
        var total = document.createElement("b");
        total.textContent = rc.answered + " / " + rc.total;
        head.appendChild(name);
        head.appendChild(total);
        var bar = document.createElement("div");
        bar.className = "rollcall-bar";
        [["on-time", rc.on_time], ["late", rc.late]].forEach(function (part) {
          var fill = document.createElement("span");
          fill.className = "rollcall-" + part[0];
          fill.style.width = rc.total ? (100 * part[1]) / rc.total + "%" : "0";
          bar.appendChild(fill);
        });
        var counts = document.createElement("div");
        counts.className = "rollcall-counts";
        counts.textContent =
          panel.dataset.textAnswered + " " + rc.answered + " · " +
          panel.dataset.textWaiting + " " + rc.waiting + " · " +
          panel.dataset.textLate + " " + rc.late;
        li.appendChild(head);
        li.appendChild(bar);
        li.appendChild(counts);
        list.appendChild(li);
      });
    }

    // The 叫应 panel: active warnings, most severe first, answered / total.
    function renderWarnings(data) {
      var panel = document.getElementById("warning-panel");
      var list = document.getElementById("warnings");
      if (!panel || !list) return;
      var items = data.warnings || [];
      list.hidden = items.length === 0; // the counter stays in view
      list.textContent = "";
      items.forEach(function (w) {
        var li = document.createElement("li");
        li.className = "warning-item";
        li.dataset.id = w.id;
        li.dataset.level = w.level;
        li.dataset.answered = w.answered;
        li.dataset.total = w.total;
        li.dataset.unanswered = w.unanswered;
        var head = document.createElement(w.url ? "a" : "div");
        if (w.url) head.href = w.url;
        head.className = "warning-head";
        var badge = document.createElement("span");
        badge.className = "badge warning-level warning-level-" + w.level;
        badge.textContent = w.level_label;
        var title = document.createElement("span");
        title.className = "warning-title";
        title.textContent = w.hazard + " · " + w.headline;
        var count = document.createElement("b");
        count.textContent = w.answered + " / " + w.total;
        head.append(badge, title, count);
        var bar = document.createElement("div");
        bar.className = "warning-bar";
        var fill = document.createElement("span");
        fill.style.width = w.total ? (100 * w.answered) / w.total + "%" : "0";
        bar.appendChild(fill);
        var rest = document.createElement("div");
        rest.className = "warning-unanswered";
        rest.textContent = panel.dataset.textUnanswered + " " + w.unanswered;
        li.append(head, bar, rest);
        list.appendChild(li);
      });
      if (data.warnings_more) {
        var more = document.createElement("li");
        more.className = "warning-more";
        more.textContent = "+" + data.warnings_more + " " + panel.dataset.textMore;
        list.appendChild(more);
      }
    }

    function render(data) {
      if (!data) return;
      renderLists(data);
      renderRollCalls(data);
      renderWarnings(data);
      renderMap(data);
    }

    // ---- refreshing from JSON, debounced, never overlapping ----
    var refreshTimer = null;
    var inFlight = false;
    var again = false;

    function scheduleRefresh(delay) {
      if (refreshTimer) return;
      refreshTimer = window.setTimeout(function () {
        refreshTimer = null;
        refresh();
      }, delay == null ? 300 : delay);
    }

    function refresh() {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      fetch(cfg.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("data " + response.status);
          return response.json();
        })
        .then(function (data) {
          render(data);
          hall.refreshes += 1;
          body.dataset.refreshes = String(hall.refreshes);
        })
        .catch(function () {
          /* the badge says why; the next event or heartbeat retries */
        })
        .then(function () {
          inFlight = false;
          if (again) {
            again = false;
            scheduleRefresh(0);
          }
        });
    }

    // ---- feed ----
    var feed = document.getElementById("feed");
    var seen = new Set();
    feed.querySelectorAll(".feed-line").forEach(function (li) {
      seen.add(Number(li.dataset.seq));
    });

    function isFeedType(type) {
      if ((labels.feed_types || []).indexOf(type) >= 0) return true;
      return (labels.feed_prefixes || []).some(function (prefix) {
        return type.indexOf(prefix) === 0;
      });
    }

    function sentence(event) {
      if (event.sentence) return event.sentence;
      var payload = event.payload || {};
      var templates = labels.sentences || {};
      // An answer through a channel (SMS reply, link, voice key) says which, as the
      // server's feed line does (dispatch/sentences.py: type + ".via").
      var via = payload.via && payload.via !== "web" ? payload.via_label || "" : "";
      var template = (via && templates[event.type + ".via"]) || templates[event.type] || templates["*"] || "{subject}";
      return fill(template, {
        via: via,
        subject: event.subject_label || "",
        force: payload.force || event.subject_label || "",
        department: String(event.subject_label || "").split(" · ")[0],
        level: (labels.levels || {})[payload.level] || "",
        kind: (labels.alert_kinds || {})[payload.kind] || "",
        new: (labels.force_status || {})[payload.new] || "",
      });
    }

    function addFeedLine(event) {
      var li = document.createElement("li");
      li.className = "feed-line fresh";
      li.dataset.seq = String(event.seq);
      li.dataset.type = event.type;
      var time = document.createElement("time");
      time.dateTime = event.created_at || "";
      time.textContent = event.time || (event.created_at ? timeFormat.format(new Date(event.created_at)) : "");
      var text = document.createElement("span");
      text.className = "feed-sentence";
      text.textContent = sentence(event);
      var where = document.createElement("span");
      where.className = "feed-where";
      where.textContent = event.jurisdiction_name || "";
      li.append(time, text, where);
      // Newest on top; replayed events may arrive after newer ones only if seq says so.
      var before = null;
      var lines = feed.querySelectorAll(".feed-line");
      for (var i = 0; i < lines.length; i += 1) {
        if (Number(lines[i].dataset.seq) < event.seq) {
          before = lines[i];
          break;
        }
      }
      feed.insertBefore(li, before);
      var empty = document.getElementById("feed-empty");
      if (empty) empty.remove();
      while (feed.querySelectorAll(".feed-line").length > FEED_MAX) {
        feed.lastElementChild.remove();
      }
    }

    function onEvent(event) {
      if (!event || event.seq == null || seen.has(event.seq)) return;
      seen.add(event.seq);
      hall.eventsSeen += 1;
      hall.lastSeq = Math.max(hall.lastSeq, event.seq);
      if (event.type && isFeedType(event.type)) addFeedLine(event);
      scheduleRefresh();
    }

    document.addEventListener("linkage:resync", function () {
      scheduleRefresh(0);
    });
    window.setInterval(function () {
      scheduleRefresh(0);
    }, HEARTBEAT_MS);
    window.addEventListener("resize", function () {
      if (levelChart) levelChart.resize();
      if (map) map.invalidateSize();
    });

    render(readJson("hall-data"));
    hall.mode = window.LinkageLive.connect({
      wsUrl: cfg.wsUrl,
      storageKey: cfg.storageKey,
      feedUrl: cfg.feedUrl,
      onEvent: onEvent,
      onStatus: function (state) {
        hall.status = state;
      },
    });
  }

  // ---- the duty dashboard -----------------------------------------------------------------

  // live.js has started the feed (data-live-root); count what the panels did with it.
  function watchDashboard() {
    hall.mode = window.LinkageLive.mode;
    document.addEventListener("linkage:event", function (e) {
      var event = e.detail;
      if (event && event.seq != null) {
        hall.eventsSeen += 1;
        hall.lastSeq = Math.max(hall.lastSeq, event.seq);
      }
    });
    document.addEventListener("linkage:status", function (e) {
      hall.status = e.detail.state;
    });
    document.body.addEventListener("htmx:afterSwap", function () {
      hall.refreshes += 1;
    });
  }

  hall.formatCount = formatCount;
  if (hall.kind === "screen") startScreen();
  else if (document.getElementById("hall-dashboard")) watchDashboard();
})();
