/*
 * LinkageLive: the live feed client of screens and dashboards (SPEC §8).
 *
 * The database is the stream; the WebSocket only says that something new exists
 * (RELIABILITY.md). The client keeps the last sequence number it has seen and asks for
 * everything after it on every (re)connect and on a 15 s heartbeat, ignoring anything
 * it already has. Nothing is lost by a dropped socket or a Redis restart.
 *
 *   LinkageLive.start({
 *     url: "/ws/live/",                 // default
 *     storageKey: "linkage-live-seq",   // sessionStorage key, default
 *     onEvent(event) {},                // each new event, once, in seq order
 *     onStatus(state) {},               // "lost" | "catching_up" | "live"
 *   });
 *
 * A page rendered by the server at seq n says so with <body data-live-seq="n">: the
 * feed then starts exactly after what the page shows. Every new event is also
 * dispatched on document as "linkage:event" (detail: the event) and every state change
 * as "linkage:status" (detail: {state, code}), so htmx elements can use
 * hx-trigger="linkage:event from:document". An element #live-status, if present, shows
 * the state with the (translated) text of its data-text-live, data-text-lost and
 * data-text-catching-up attributes; it is hidden while live unless data-text-live is set.
 *
 * Pages use LinkageLive.connect (below), which falls back to polling the hall feed where
 * the browser has no WebSocket; a page with a [data-live-root] element starts by itself.
 */
(function () {
  "use strict";

  var PING_EVERY_MS = 15000;
  var PONG_WITHIN_MS = 10000;
  var BACKOFF_MIN_MS = 1000;
  var BACKOFF_MAX_MS = 10000;

  var options = null;
  var socket = null;
  var lastSeq = 0;
  var state = null;
  var backoff = BACKOFF_MIN_MS;
  var reconnectTimer = null;
  var pingTimer = null;
  var watchdogTimer = null;
  var stopped = true;

  function readStoredSeq(key) {
    var fromPage = document.body && document.body.getAttribute("data-live-seq");
    if (fromPage !== null && fromPage !== "" && !isNaN(Number(fromPage))) {
      return Number(fromPage);
    }
    try {
      var stored = window.sessionStorage.getItem(key);
      return stored !== null && !isNaN(Number(stored)) ? Number(stored) : 0;
    } catch (e) {
      return 0; // storage disabled: start from 0
    }
  }

  function storeSeq() {
    try {
      window.sessionStorage.setItem(options.storageKey, String(lastSeq));
    } catch (e) {
      /* storage full or disabled: the in-memory position still holds */
    }
  }

  function socketUrl(url) {
    if (/^wss?:\/\//.test(url)) {
      return url;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + url;
  }

  // The connection badge (templates/includes/live_badge.html), for the socket and the
  // polling fallback alike.
  function showBadge(next) {
    var banner = document.getElementById("live-status");
    if (banner) {
      var attribute = "data-text-" + next.replace("_", "-");
      banner.textContent = banner.getAttribute(attribute) || "";
      banner.setAttribute("data-state", next);
      banner.hidden = next === "live" && !banner.getAttribute("data-text-live");
    }
  }

  function setStatus(next, code) {
    if (next === state) {
      return;
    }
    state = next;
    showBadge(next);
    if (options.onStatus) {
      options.onStatus(next);
    }
    document.dispatchEvent(
      new CustomEvent("linkage:status", { detail: { state: next, code: code || null } })
    );
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    }
  }

  function deliver(events) {
    for (var i = 0; i < events.length; i++) {
      var event = events[i];
      if (typeof event.seq !== "number" || event.seq <= lastSeq) {
        continue; // already seen: the server may re-send after a heartbeat
      }
      lastSeq = event.seq;
      if (options.onEvent) {
        try {
          options.onEvent(event);
        } catch (e) {
          console.error("linkage live: onEvent failed", e);
        }
      }
      document.dispatchEvent(new CustomEvent("linkage:event", { detail: event }));
    }
    storeSeq();
  }

  function clearTimers() {
    clearInterval(pingTimer);
    clearTimeout(watchdogTimer);
    clearTimeout(reconnectTimer);
    pingTimer = watchdogTimer = reconnectTimer = null;
  }

  function ping() {
    send({ type: "ping", after: lastSeq });
    if (watchdogTimer === null) {
      watchdogTimer = setTimeout(function () {
        // No answer: the socket is dead even if the browser has not noticed yet.
        // Let it go (its close handshake may never finish) and dial again.
        watchdogTimer = null;
        drop(null);
      }, PONG_WITHIN_MS);
    }
  }

  function onMessage(raw) {
    clearTimeout(watchdogTimer); // anything from the server proves the socket alive
    watchdogTimer = null;
    var message;
    try {
      message = JSON.parse(raw.data);
    } catch (e) {
      return;
    }
    if (message.type === "events") {
      deliver(message.events || []);
    } else if (message.type === "caught_up") {
      backoff = BACKOFF_MIN_MS;
      setStatus("live");
    } else if (message.type === "more") {
      send({ type: "resume", after: lastSeq });
    } else if (message.type === "error") {
      console.warn("linkage live:", message.detail);
    }
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer !== null) {
      return;
    }
    var delay = backoff;
    backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
    reconnectTimer = setTimeout(function () {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function drop(code) {
    var dead = socket;
    socket = null;
    clearTimers();
    if (dead && dead.readyState !== WebSocket.CLOSED) {
      dead.close();
    }
    setStatus("lost", code);
    if (code === 4401 || code === 4403) {
      backoff = BACKOFF_MAX_MS; // signed out: keep trying, slowly, until a new login
    }
    scheduleReconnect();
  }

  function connect() {
    clearTimers();
    if (stopped) {
      return;
    }
    var current;
    try {
      current = new WebSocket(socketUrl(options.url));
    } catch (e) {
      setStatus("lost");
      scheduleReconnect();
      return;
    }
    socket = current;
    current.onopen = function () {
      setStatus("catching_up");
      send({ type: "resume", after: lastSeq });
      pingTimer = setInterval(ping, PING_EVERY_MS);
    };
    current.onmessage = onMessage;
    current.onclose = function (closed) {
      if (socket === current) {
        drop(closed.code);
      } // else: an older socket closing late
    };
    current.onerror = function () {
      /* followed by onclose */
    };
  }

  function start(given) {
    stop();
    options = {
      url: "/ws/live/",
      storageKey: "linkage-live-seq",
      onEvent: null,
      onStatus: null,
    };
    for (var name in given || {}) {
      if (Object.prototype.hasOwnProperty.call(given, name)) {
        options[name] = given[name];
      }
    }
    lastSeq = readStoredSeq(options.storageKey);
    state = null;
    backoff = BACKOFF_MIN_MS;
    stopped = false;
    setStatus("catching_up");
    connect();
  }

  function stop() {
    stopped = true;
    clearTimers();
    if (socket) {
      var closing = socket;
      socket = null;
      closing.close();
    }
  }

  window.addEventListener("online", function () {
    if (!stopped && socket === null) {
      backoff = BACKOFF_MIN_MS;
      connect();
    }
  });

  // ---- a live page: the socket, or polling where the browser has no WebSocket ----------

  var POLL_MS = 5000;
  var page = { mode: null, status: "connecting" };

  function pageStatus(next, onStatus) {
    var previous = page.status;
    page.status = next;
    if (onStatus) onStatus(next);
    if (next === "live" && previous !== "live" && previous !== "connecting") {
      // Back after a gap: counters may have moved while events were replayed.
      document.dispatchEvent(new CustomEvent("linkage:resync"));
    }
  }

  function poll(given) {
    var after = readStoredSeq(given.storageKey || "linkage-live-seq");
    var failing = false;
    function pollStatus(next) {
      if (next === page.status) return;
      showBadge(next);
      pageStatus(next, given.onStatus);
      document.dispatchEvent(new CustomEvent("linkage:status", { detail: { state: next, code: null } }));
    }
    function tick() {
      fetch(given.feedUrl + "?after=" + after + "&limit=200", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok || response.redirected) throw new Error("feed " + response.status);
          return response.json();
        })
        .then(function (body) {
          if (failing) {
            pollStatus("catching_up");
          }
          failing = false;
          body.events.forEach(function (event) {
            if (given.onEvent) given.onEvent(event);
            document.dispatchEvent(new CustomEvent("linkage:event", { detail: event }));
          });
          after = Math.max(after, body.last_seq || 0);
          pollStatus("live");
        })
        .catch(function () {
          failing = true;
          pollStatus("lost");
        })
        .then(function () {
          window.setTimeout(tick, POLL_MS);
        });
    }
    tick();
  }

  /*
   * LinkageLive.connect({wsUrl, storageKey, feedUrl, onEvent, onStatus}): what a page
   * calls. The socket client above when the browser has WebSocket, else polling
   * feedUrl?after=<seq> every 5 s; either way the badge follows, "linkage:event" is
   * raised for each event and "linkage:resync" when the feed comes back after a gap.
   * Returns the mode: "websocket" or "polling".
   */
  function connectPage(given) {
    var onStatus = given.onStatus;
    if (typeof window.WebSocket === "function") {
      page.mode = "websocket";
      start({
        url: given.wsUrl || "/ws/live/",
        storageKey: given.storageKey,
        onEvent: given.onEvent,
        onStatus: function (next) {
          pageStatus(next, onStatus);
        },
      });
    } else {
      page.mode = "polling";
      poll(given);
    }
    return page.mode;
  }

  // Autostart: a page with <div data-live-root data-live-seq data-storage-key data-ws-url
  // data-feed-url> (htmx panels that re-fetch on "linkage:event") needs nothing but this
  // script. base.html's <body> is shared, so the resume point is copied onto it here.
  function autostart() {
    var root = document.querySelector("[data-live-root]");
    if (!root) return;
    document.body.setAttribute("data-live-seq", root.getAttribute("data-live-seq") || "0");
    connectPage({
      wsUrl: root.getAttribute("data-ws-url"),
      storageKey: root.getAttribute("data-storage-key"),
      feedUrl: root.getAttribute("data-feed-url"),
    });
  }

  // ---- live regions: server-rendered parts of a page that follow the feed ---------------
  //
  // <div id="order-list" data-live-refresh data-live-types="order.,notify."
  //      data-live-subject="dispatch.calloutorder:12" data-live-every="30">
  // On each event of those type prefixes (and that subject, if given) the page's own URL
  // is fetched again and the element with the same id replaces this one: the server
  // renders it exactly as on a reload, so no second template can drift. A region whose
  // form someone is filling in waits until the form is left or sent. data-live-every
  // also refreshes it on a timer, for what the feed does not tell this user.

  var REGION_DELAY_MS = 400;
  var REGION_IDLE_MS = 25 * 60 * 1000; // under the default 30-minute session idle timeout
  var regionTimer = null;
  var regionFetching = false;
  var regionAgain = false;
  var regionStats = { refreshes: 0 };

  function regionWants(region, event) {
    var types = (region.getAttribute("data-live-types") || "").split(",").filter(Boolean);
    if (types.length && !types.some(function (prefix) {
      return String(event.type || "").indexOf(prefix.trim()) === 0;
    })) {
      return false;
    }
    var subject = region.getAttribute("data-live-subject");
    return !subject || subject === event.subject_type + ":" + event.subject_id;
  }

  function beingEdited(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.tagName === "SELECT") {
        for (var j = 0; j < field.options.length; j++) {
          if (field.options[j].selected !== field.options[j].defaultSelected) return true;
        }
      } else if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) return true;
      } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function scheduleRegions(delay) {
    if (regionTimer !== null) return;
    regionTimer = setTimeout(function () {
      regionTimer = null;
      refreshRegions();
    }, delay == null ? REGION_DELAY_MS : delay);
  }

  function refreshRegions() {
    if (regionFetching) {
      regionAgain = true;
      return;
    }
    var due = Array.prototype.filter.call(
      document.querySelectorAll("[data-live-refresh][data-live-stale]"),
      function (region) {
        return region.id && !beingEdited(region);
      }
    );
    if (!due.length) return;
    // Marked fresh before asking: an event arriving while the page is being fetched marks
    // the region stale again, and that mark is carried to its replacement below.
    due.forEach(function (region) {
      region.removeAttribute("data-live-stale");
    });
    regionFetching = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("page " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        due.forEach(function (region) {
          var replacement = fresh.getElementById(region.id);
          if (!region.isConnected || !replacement) return;
          var adopted = document.importNode(replacement, true);
          if (region.hasAttribute("data-live-stale")) {
            adopted.setAttribute("data-live-stale", "1");
            regionAgain = true;
          }
          region.replaceWith(adopted);
          if (window.htmx) window.htmx.process(adopted);
        });
        regionStats.refreshes += 1;
        document.body.setAttribute("data-live-refreshes", String(regionStats.refreshes));
      })
      .catch(function () {
        // Stays stale: the next event, timer or focus change tries again.
        due.forEach(function (region) {
          if (region.isConnected) region.setAttribute("data-live-stale", "1");
        });
      })
      .then(function () {
        regionFetching = false;
        if (regionAgain) {
          regionAgain = false;
          scheduleRegions(0);
        }
      });
  }

  function watchRegions() {
    var regions = document.querySelectorAll("[data-live-refresh]");
    if (!regions.length) return;
    document.addEventListener("linkage:event", function (e) {
      var event = e.detail || {};
      var any = false;
      document.querySelectorAll("[data-live-refresh]").forEach(function (region) {
        if (regionWants(region, event)) {
          region.setAttribute("data-live-stale", "1");
          any = true;
        }
      });
      if (any) scheduleRegions();
    });
    document.addEventListener("linkage:resync", function () {
      document.querySelectorAll("[data-live-refresh]").forEach(function (region) {
        region.setAttribute("data-live-stale", "1");
      });
      scheduleRegions(0);
    });
    // A form left or sent: what waited for it may refresh now.
    document.addEventListener("focusout", function () {
      scheduleRegions();
    });
    // Every request renews the session, so the timer asks only while someone uses the
    // page: a forgotten tab still signs out after the idle timeout (SESSION_IDLE_MINUTES).
    var lastActivity = Date.now();
    ["keydown", "pointerdown", "touchstart", "scroll", "wheel"].forEach(function (name) {
      window.addEventListener(name, function () {
        lastActivity = Date.now();
      }, { passive: true, capture: true });
    });
    Array.prototype.forEach.call(regions, function (region) {
      var every = Number(region.getAttribute("data-live-every")) || 0;
      if (every > 0) {
        setInterval(function () {
          if (document.visibilityState === "hidden" || Date.now() - lastActivity > REGION_IDLE_MS) {
            return;
          }
          var current = document.getElementById(region.id);
          if (current) current.setAttribute("data-live-stale", "1");
          scheduleRegions(0);
        }, every * 1000);
      }
    });
  }

  window.LinkageLive = {
    start: start,
    stop: stop,
    connect: connectPage,
    get seq() {
      return lastSeq;
    },
    get state() {
      return state;
    },
    get mode() {
      return page.mode;
    },
    regions: regionStats,
  };

  autostart();
  watchRegions();
})();
