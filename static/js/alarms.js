/*
 * Hall alarms (issue 10): on the duty dashboard and the hall screen, a new incident, a
 * plan awaiting approval, an overdue step, an escalation and a roll call that went
 * unanswered ring a generated tone (Web Audio API: nothing to download, works on an
 * intranet) and raise a desktop notification (the browser's Notification API: no push
 * service), and the tone repeats every few seconds until someone acknowledges the alarm
 * in the banner on this screen.
 *
 * Browsers start sound and grant notifications only after a click, so the page shows a
 * button (#alarm-enable) that unlocks the audio and asks for the permission once; the
 * choice is remembered in localStorage, and so are the open alarms, so that a reload
 * does not silence them. Events come from live.js ("linkage:event" on document); this
 * file decides nothing about who may see what: the feed only carries what the user may
 * read (core/visibility.py).
 */
(function () {
  "use strict";

  var banner = document.getElementById("hall-alarms");
  var configEl = document.getElementById("hall-alarm-config");
  if (!banner || !configEl) return;

  var config = JSON.parse(configEl.textContent);
  var labels = config.types || {};
  var REPEAT_MS = (config.repeat_seconds || 5) * 1000;
  var MAX_OPEN = 50;
  var ENABLED_KEY = "linkage.alarms.enabled";
  var openKey = banner.getAttribute("data-storage-key") || "linkage.alarms.open";

  var list = document.getElementById("hall-alarms-list");
  var count = document.getElementById("hall-alarms-count");
  var ackAll = document.getElementById("hall-alarms-ack-all");
  var enableButton = document.getElementById("alarm-enable");
  var enabledNote = document.getElementById("alarm-enabled");

  var timeFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: config.time_zone || "Asia/Shanghai",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });

  var state = {
    open: [], // {seq, type, label, text, where, at}
    beeps: 0,
    notified: 0,
    enabled: false,
  };
  window.LinkageAlarms = state;

  var audio = null;
  var ringTimer = null;
  var shown = {}; // seq → the desktop Notification still on screen

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) {
      /* storage disabled: this page still rings until acknowledged */
    }
  }

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  // ---- which events ring ----------------------------------------------------------------

  function alarmOf(event) {
    if (!event || event.seq == null || !event.type) return null;
    var payload = event.payload || {};
    var text = event.subject_label || "";
    if (event.type === "rollcall.closed") {
      var missed = Number(payload.no_answer) || 0;
      if (missed <= 0) return null;
      text = String(config.rollcall_missed || "{n}").replace("{n}", String(missed)) + " · " + text;
    } else if (event.type === "notify.escalated" && payload.purpose === "roll_call") {
      // One escalation per force: a roll call over hundreds would flood the banner. An
      // unanswered roll call rings once, when it closes (rollcall.closed above).
      return null;
    } else if (event.type === "notify.escalated" && payload.step) {
      text += " · " + String(config.escalated_after || "{n}").replace("{n}", String(payload.step));
    } else if (!Object.prototype.hasOwnProperty.call(labels, event.type)) {
      return null;
    }
    return {
      seq: event.seq,
      type: event.type,
      label: labels[event.type] || "",
      text: text,
      where: event.jurisdiction_name || "",
      at: event.created_at || new Date().toISOString(),
    };
  }

  // ---- sound ----------------------------------------------------------------------------

  function audioContext() {
    if (audio) return audio;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    try {
      audio = new Context();
      audio.onstatechange = showEnabled;
    } catch (e) {
      audio = null;
    }
    return audio;
  }

  // Two falling tones, loud enough for a hall, short enough not to drown speech.
  function beep() {
    var ctx = audioContext();
    if (!ctx) return;
    if (ctx.state !== "running" && ctx.resume) ctx.resume().catch(function () {});
    var t = ctx.currentTime + 0.02;
    var oscillator = ctx.createOscillator();
    var gain = ctx.createGain();
    oscillator.type = "square";
    oscillator.frequency.setValueAtTime(988, t);
    oscillator.frequency.setValueAtTime(740, t + 0.22);
    oscillator.frequency.setValueAtTime(988, t + 0.44);
    oscillator.frequency.setValueAtTime(740, t + 0.66);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.setValueAtTime(0.25, t + 0.84);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.9);
    oscillator.connect(gain);
    gain.connect(ctx.destination);
    oscillator.start(t);
    oscillator.stop(t + 0.92);
    state.beeps += 1;
  }

  function ring() {
    if (!state.enabled || !state.open.length) return;
    beep();
  }

  function updateRinging() {
    var should = state.enabled && state.open.length > 0;
    if (should && ringTimer === null) {
      ringTimer = window.setInterval(ring, REPEAT_MS);
    } else if (!should && ringTimer !== null) {
      window.clearInterval(ringTimer);
      ringTimer = null;
    }
  }

  // ---- desktop notifications ------------------------------------------------------------

  function canNotify() {
    return state.enabled && "Notification" in window && window.Notification.permission === "granted";
  }

  function notify(alarm) {
    if (!canNotify()) return;
    try {
      var shownNow = new window.Notification(alarm.label, {
        body: [alarm.text, alarm.where].filter(Boolean).join(" · "),
        tag: "linkage-alarm-" + alarm.seq,
        requireInteraction: true,
        lang: "zh-CN",
      });
      shownNow.onclick = function () {
        window.focus();
      };
      shown[alarm.seq] = shownNow;
      state.notified += 1;
    } catch (e) {
      /* a browser that only notifies from a service worker: the banner still shows */
    }
  }

  // ---- the banner -----------------------------------------------------------------------

  function render() {
    list.textContent = "";
    state.open.forEach(function (alarm) {
      var li = document.createElement("li");
      li.className = "hall-alarm";
      li.dataset.seq = String(alarm.seq);
      li.dataset.type = alarm.type;
      var time = document.createElement("time");
      time.dateTime = alarm.at;
      time.textContent = timeFormat.format(new Date(alarm.at));
      var label = document.createElement("strong");
      label.textContent = alarm.label;
      var text = document.createElement("span");
      text.className = "hall-alarm-text";
      text.textContent = alarm.text;
      var where = document.createElement("span");
      where.className = "hall-alarm-where";
      where.textContent = alarm.where;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "hall-alarm-ack";
      button.dataset.seq = String(alarm.seq);
      button.textContent = config.acknowledge || "OK";
      li.append(time, label, text, where, button);
      list.appendChild(li);
    });
    count.textContent = String(state.open.length);
    ackAll.hidden = state.open.length < 2;
    banner.hidden = state.open.length === 0;
    document.body.classList.toggle("has-alarms", state.open.length > 0);
  }

  function save() {
    store(openKey, state.open.length ? JSON.stringify(state.open) : null);
  }

  function raise(alarm) {
    for (var i = 0; i < state.open.length; i++) {
      if (state.open[i].seq === alarm.seq) return;
    }
    state.open.unshift(alarm);
    state.open.sort(function (a, b) {
      return b.seq - a.seq;
    });
    state.open.length = Math.min(state.open.length, MAX_OPEN);
    save();
    render();
    notify(alarm);
    ring();
    updateRinging();
  }

  function acknowledge(seqs) {
    state.open = state.open.filter(function (alarm) {
      return seqs.indexOf(alarm.seq) < 0;
    });
    seqs.forEach(function (seq) {
      if (shown[seq]) {
        shown[seq].close();
        delete shown[seq];
      }
    });
    save();
    render();
    updateRinging();
  }

  list.addEventListener("click", function (e) {
    var button = e.target.closest(".hall-alarm-ack");
    if (button) acknowledge([Number(button.dataset.seq)]);
  });
  ackAll.addEventListener("click", function () {
    acknowledge(
      state.open.map(function (alarm) {
        return alarm.seq;
      })
    );
  });

  // ---- turning it on --------------------------------------------------------------------

  function showEnabled() {
    var unlocked = state.enabled && audio && audio.state === "running";
    if (enableButton) enableButton.hidden = Boolean(unlocked);
    if (enabledNote) enabledNote.hidden = !unlocked;
  }

  function unlock() {
    var ctx = audioContext();
    var resumed = ctx && ctx.resume ? ctx.resume() : Promise.resolve();
    return Promise.resolve(resumed)
      .catch(function () {})
      .then(showEnabled);
  }

  if (enableButton) {
    enableButton.addEventListener("click", function () {
      state.enabled = true;
      store(ENABLED_KEY, "1");
      unlock().then(function () {
        if (!state.open.length) beep(); // the speakers work: one tone now, not at 3 a.m.
        ring();
        updateRinging();
      });
      if ("Notification" in window && window.Notification.permission === "default") {
        window.Notification.requestPermission();
      }
    });
  }

  // Remembered from an earlier visit: the browser still wants a gesture before sound, so
  // the first click or key anywhere unlocks it (the button stays until then).
  if (load(ENABLED_KEY) === "1") {
    state.enabled = true;
    audioContext();
    var onFirstGesture = function () {
      document.removeEventListener("pointerdown", onFirstGesture, true);
      document.removeEventListener("keydown", onFirstGesture, true);
      unlock();
    };
    document.addEventListener("pointerdown", onFirstGesture, true);
    document.addEventListener("keydown", onFirstGesture, true);
  }

  try {
    state.open = JSON.parse(load(openKey) || "[]") || [];
  } catch (e) {
    state.open = [];
  }
  render();
  showEnabled();
  updateRinging();

  document.addEventListener("linkage:event", function (e) {
    var alarm = alarmOf(e.detail);
    if (alarm) raise(alarm);
  });

  // Another tab of this screen acknowledged (or raised) alarms.
  window.addEventListener("storage", function (e) {
    if (e.key !== openKey) return;
    try {
      state.open = JSON.parse(e.newValue || "[]") || [];
    } catch (err) {
      state.open = [];
    }
    render();
    updateRinging();
  });
})();
