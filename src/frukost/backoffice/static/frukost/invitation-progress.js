/* Progressive enhancement only: while an invitation list's e-mails go out, the list page's
   "1 240 av 3 000 skickade" is refreshed every few seconds. Without this file a reload does it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-done") === "true") return;
  var text = box.querySelector("[data-progress]");
  var bar = box.querySelector("progress");
  var rounds = 0;
  function poll() {
    rounds += 1;
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (text) text.textContent = data.text;
        if (bar) { bar.max = data.total; bar.value = data.sent; }
        if (!data.done && rounds < 360) window.setTimeout(poll, 5000);
        else if (bar) bar.hidden = true;
      })
      .catch(function () { /* the next reload shows it */ });
  }
  window.setTimeout(poll, 5000);
})();
