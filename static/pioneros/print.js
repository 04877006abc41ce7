// The printable report's button: the browser's own print dialog, where it can be saved as a
// PDF too. Without this script the button stays hidden, as it could do nothing.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
