/* Progressive enhancement only: a button that puts a suggested value into a field
   (the event form's overbooking). Without this file the suggestion is plain text. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-fill]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-fill"));
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.value = button.getAttribute("data-value");
      field.focus();
    });
  });
})();
