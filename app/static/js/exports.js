// Follows a background export: polls its status, moves the progress bar, and offers the file
// when it is ready. The message is in a live region, so screen readers hear the progress.
// Without JavaScript the "Refresh" link does the same with a page load.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status]");
  if (!box || !window.fetch || box.getAttribute("data-done") === "true") { return; }
  var bar = box.querySelector("progress");
  var message = box.querySelector("[data-export-message]");
  var label = box.getAttribute("data-download-label");
  var refresh = document.querySelector("[data-refresh]");
  var url = box.getAttribute("data-export-status");
  var delay = 1000;

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + " %";
    if (message.textContent === data.message && !data.download) { return; }  // no news to read
    message.textContent = data.message;
    if (data.download) {
      var link = document.createElement("a");
      link.href = data.download;
      link.textContent = label || data.download;
      message.appendChild(document.createTextNode(" "));
      message.appendChild(link);
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.status === "done" || data.status === "failed") {
          if (refresh) { refresh.hidden = true; }
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, delay);
}());
