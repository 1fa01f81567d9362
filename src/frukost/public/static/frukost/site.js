/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
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
