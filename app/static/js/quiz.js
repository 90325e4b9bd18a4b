// The quiz attempt: answers saved as the learner goes (a reload or a lost connection loses
// nothing), a navigator of answered, unanswered and flagged questions, a countdown heard at a
// few moments only, a warning while answers are not saved. Without JavaScript the "Save
// answers" and "Review and submit" buttons do the saving with full page loads.
(function () {
  "use strict";

  function flagsKey(attempt) { return "quiz-flags-" + attempt; }

  function readFlags(attempt) {
    try { return JSON.parse(window.localStorage.getItem(flagsKey(attempt)) || "[]"); }
    catch (error) { return []; }
  }

  function writeFlags(attempt, flags) {
    try { window.localStorage.setItem(flagsKey(attempt), JSON.stringify(flags)); }
    catch (error) { /* private mode: the flags last as long as the page */ }
  }

  // The summary before submitting shows the flags the learner set on the questions.
  var summary = document.querySelector("[data-flag-summary]");
  if (summary) {
    readFlags(summary.getAttribute("data-attempt")).forEach(function (index) {
      var note = summary.querySelector("[data-row='" + index + "'] [data-flag-note]");
      if (note) { note.textContent = " · ⚑ " + summary.getAttribute("data-flagged"); }
    });
  }

  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = form.querySelector("[data-save-status]");
  var nav = document.querySelector("[data-quiz-nav]");
  var attempt = nav ? nav.getAttribute("data-attempt") : "";
  var timer = null;
  var pending = false;   // a save failed: try again on the next change or when back online
  var unsaved = false;   // changes the server has not confirmed yet

  function answered(fieldset) {
    if (fieldset.querySelector("input[type=radio]:checked, input[type=checkbox]:checked")) {
      return true;
    }
    var fields = fieldset.querySelectorAll("input[type=text], textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      if (fields[i].value.trim() !== "") { return true; }
    }
    return false;
  }

  function refreshNav() {
    if (!nav) { return; }
    var flags = readFlags(attempt);
    nav.querySelectorAll("[data-nav]").forEach(function (link) {
      var index = link.getAttribute("data-nav");
      var fieldset = document.getElementById("slot-" + index);
      var done = fieldset ? answered(fieldset) : false;
      var flagged = flags.indexOf(Number(index)) >= 0;
      link.classList.toggle("is-answered", done);
      link.classList.toggle("is-flagged", flagged);
      var words = [nav.getAttribute(done ? "data-answered" : "data-unanswered")];
      if (flagged) { words.push(nav.getAttribute("data-flagged")); }
      link.querySelector("[data-nav-state]").textContent = ": " + words.join(", ");
    });
  }

  document.querySelectorAll("[data-flag]").forEach(function (button) {
    var index = Number(button.getAttribute("data-flag"));
    button.hidden = false;
    button.setAttribute("aria-pressed", readFlags(attempt).indexOf(index) >= 0 ? "true" : "false");
    button.addEventListener("click", function () {
      var flags = readFlags(attempt).filter(function (item) { return item !== index; });
      var on = button.getAttribute("aria-pressed") !== "true";
      if (on) { flags.push(index); }
      writeFlags(attempt, flags);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      refreshNav();
    });
  });

  function show(message, problem) {
    if (!status) { return; }
    status.textContent = message || "";
    status.classList.toggle("save-problem", Boolean(problem));
  }

  function save() {
    timer = null;
    pending = false;
    if (!window.fetch) { return null; }
    return fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        unsaved = !data.saved;
        show(data.message, !data.saved);
        if (response.status === 409 && data.result) { window.location.assign(data.result); }
      });
    }).catch(function () {
      pending = true;
      show(status && status.getAttribute("data-offline"), true);
    });
  }

  function schedule(delay) {
    unsaved = true;
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () { refreshNav(); schedule(200); });
  form.addEventListener("input", function () { refreshNav(); schedule(800); });
  form.addEventListener("submit", function () { unsaved = false; });
  window.addEventListener("online", function () { if (pending) { save(); } });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved && (pending || !navigator.sendBeacon)) {
      show(status && status.getAttribute("data-unsaved"), true);
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("pagehide", function () {
    if (timer && navigator.sendBeacon) {
      navigator.sendBeacon(form.getAttribute("data-autosave"), new FormData(form));
    }
  });
  refreshNav();

  // The countdown: the visible time changes every second; a screen reader hears it at ten,
  // five and one minute and at thirty seconds before the end, not every second.
  var countdown = document.querySelector("[data-deadline]");
  if (countdown) {
    var deadline = Date.parse(countdown.getAttribute("data-deadline"));
    var shown = countdown.querySelector("[data-countdown]");
    var announce = document.querySelector("[data-countdown-announce]");
    var said = {};
    countdown.hidden = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      shown.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      [600, 300, 60, 30].forEach(function (moment) {
        if (left <= moment && left > moment - 5 && !said[moment] && announce) {
          said[moment] = true;
          var text = moment === 30 ? announce.getAttribute("data-seconds")
            : moment === 60 ? announce.getAttribute("data-minute")
            : announce.getAttribute("data-minutes").replace("{n}", String(moment / 60));
          announce.textContent = text;
        }
      });
      if (left === 0) {
        window.clearInterval(interval);
        // Saved answers are graded by the server once the time is up.
        save();
        window.setTimeout(function () {
          window.location.assign(countdown.getAttribute("data-expired"));
        }, 1500);
      }
    };
    var interval = window.setInterval(tick, 1000);
    tick();
  }
}());
