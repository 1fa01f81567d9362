// The door list without page loads: a tap posts its form with fetch and swaps in the list the
// server answers with (the same POST-redirect-GET page), and the counters refresh every 15
// seconds so two phones at the door agree. Without JavaScript the forms work as they are.
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door || !window.fetch || !("content" in document.createElement("template"))) return;

  // An inert template, not DOMParser: a parsed document would inherit this page's CSP and
  // complain about the answer's <style> elements, whose nonce is another page's.
  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function swap(html, focusId) {
    var doc = parse(html);
    var fresh = doc.getElementById("door");
    if (!fresh) return false;
    var oldMessages = document.querySelector(".bo-messages");
    var newMessages = doc.querySelector(".bo-messages");
    if (oldMessages) oldMessages.remove();
    door.innerHTML = fresh.innerHTML;
    if (newMessages) door.parentNode.insertBefore(newMessages, door);
    filter();
    var target = focusId && document.getElementById(focusId);
    if (target) {
      var control = target.matches("input") ? target : target.querySelector("button");
      if (control) control.focus({ preventScroll: false });
    }
    return true;
  }

  // Filter as one types: "asa" finds "Åsa", as the server's search does (queries.folded).
  function folded(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filter() {
    var field = document.getElementById("id_q");
    if (!field) return;
    var words = folded(field.value).split(/\s+/).filter(Boolean);
    door.querySelectorAll("tr[data-name]").forEach(function (row) {
      var name = row.getAttribute("data-name");
      row.hidden = !words.every(function (word) { return name.indexOf(word) !== -1; });
    });
  }

  door.addEventListener("input", function (event) {
    if (event.target.id === "id_q") filter();
  });

  door.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    var row = form.closest("tr");
    var focusId = row ? row.id : "id_code";
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (!swap(html, focusId)) form.submit();
      })
      .catch(function () {
        form.submit(); // let the browser show what went wrong
      });
  });

  window.setInterval(function () {
    if (document.visibilityState !== "visible") return;
    var active = document.activeElement;
    if (active && active.matches("input") && active.value) return; // someone is typing
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) return;
        var doc = parse(html);
        ["bo-door-counts", "bo-door-rows"].forEach(function (name) {
          var mine = door.querySelector("." + name);
          var theirs = doc.querySelector("#door ." + name);
          if (mine && theirs) mine.innerHTML = theirs.innerHTML;
        });
        filter();
      })
      .catch(function () {});
  }, 15000);
})();
