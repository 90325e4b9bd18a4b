// Live preview for the lesson and quiz editors: the server renders the text with the same
// pipeline learners get, as the trainer types. Only the preview pane is replaced, so the
// textarea keeps its content, cursor and scroll position. Without JavaScript the "Preview"
// button does the same with a full page load.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  var output = document.querySelector("[data-preview-output]");
  if (!form || !output || !window.fetch) { return; }
  var timer = null;
  var sent = 0;

  function refresh() {
    timer = null;
    var body = new FormData(form);
    body.delete("image");  // the image is uploaded by the buttons, not on every keystroke
    body.delete("save");
    body.set("preview", "1");
    var number = ++sent;
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      // An older answer arriving after a newer one must not replace it.
      if (number === sent && typeof data.html === "string") { output.innerHTML = data.html; }
    }).catch(function () { /* offline: the Preview button still works */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.type === "file") { return; }
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(refresh, 500);
  });
}());
