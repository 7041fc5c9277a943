/*
 * The bell in the navigation bar: its unread count follows without a reload.
 *
 * The bell (#notify-bell, hx-get of the count, hx-trigger "notify:refresh" and the live
 * feed's "linkage:event") is asked again every 30 s — but only while someone uses the
 * page. Every request renews the session (等保 idle timeout, SESSION_IDLE_MINUTES), so a
 * bell that polled by itself would keep a forgotten tab signed in for ever; after
 * data-idle-seconds without a key, click, touch, scroll or mouse movement it stops asking, and the
 * session ends as it should. Pages with a live feed refresh it on every event anyway.
 */
(function () {
  "use strict";

  var EVERY_MS = 30000;
  // Loaded with defer after htmx (base.html), so both are there when this runs.
  var bell = document.getElementById("notify-bell");
  if (!bell || !window.htmx) {
    return;
  }
  var idleMs = Number(bell.getAttribute("data-idle-seconds") || "1800") * 1000;
  // Stop a minute early, so that the last refresh cannot renew an expiring session.
  var activeWithinMs = Math.max(idleMs - 60000, EVERY_MS);
  var lastActivity = Date.now();

  function touched() {
    lastActivity = Date.now();
  }
  ["keydown", "pointerdown", "mousemove", "touchstart", "scroll", "wheel"].forEach(function (name) {
    window.addEventListener(name, touched, { passive: true, capture: true });
  });

  window.setInterval(function () {
    if (document.visibilityState === "hidden") {
      return;
    }
    if (Date.now() - lastActivity > activeWithinMs) {
      return;
    }
    window.htmx.trigger(bell, "notify:refresh");
  }, EVERY_MS);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - lastActivity <= activeWithinMs) {
      window.htmx.trigger(bell, "notify:refresh");
    }
  });
})();
