/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // A door list held on a phone for offline check-in (backoffice door.js) is names and workplaces:
  // whichever page of the site the phone opens next, a list older than a day leaves it (queued
  // taps, which are only ids, stay for door.js to sync).
  try {
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf("frukost.door.") !== 0 || key.slice(-5) !== ".list") return;
      var held = null;
      try { held = JSON.parse(window.localStorage.getItem(key)); } catch (error) { /* unreadable */ }
      if (!held || !(Date.now() - held.savedAt < 24 * 60 * 60 * 1000)) window.localStorage.removeItem(key);
    });
  } catch (error) { /* storage unavailable */ }

  var summary = document.getElementById("error-summary");
  if (!summary) return;
  // After a failed submit, start at the list of errors (screen readers read it out). The form
  // posts to #error-summary, which focuses it without JavaScript in most browsers; this covers
  // the rest, after the browser has finished scrolling to the fragment.
  window.addEventListener("load", function () {
    if (document.activeElement !== summary) summary.focus();
  });
  // A link in the summary moves focus into the field itself, with its label and error in view.
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    (target.closest(".field") || target).scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
