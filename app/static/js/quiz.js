// Saves quiz answers as the learner goes, so a reload or lost connection loses nothing.
// Without JavaScript the "Save answers" button does the same with a full page load.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector("[data-save-status]");
  var timer = null;
  var pending = false;

  function save() {
    timer = null;
    pending = false;
    var body = new FormData(form);
    return fetch(form.getAttribute("data-autosave"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (status) { status.textContent = data.message || ""; }
        if (response.status === 409 && data.result) { window.location.assign(data.result); }
      });
    }).catch(function () {
      pending = true;  // offline: try again on the next change or when back online
      if (status) { status.textContent = status.getAttribute("data-offline") || ""; }
    });
  }

  function schedule(delay) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("change", function () { schedule(200); });
  form.addEventListener("input", function () { schedule(800); });
  window.addEventListener("online", function () { if (pending) { save(); } });
  window.addEventListener("pagehide", function () {
    if (timer && navigator.sendBeacon) {
      navigator.sendBeacon(form.getAttribute("data-autosave"), new FormData(form));
    }
  });
}());
