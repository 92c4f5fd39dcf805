// The kiosk: an on-screen keypad for the code fields, and back to the start screen after a
// minute without a touch (a meta refresh in <noscript> does the same without JS).
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-home");
  var idle = parseInt(body.getAttribute("data-idle"), 10) || 60;
  var timer = null;

  function restart() {
    if (timer) { window.clearTimeout(timer); }
    if (home && window.location.pathname !== home) {
      timer = window.setTimeout(function () { window.location.assign(home); }, idle * 1000);
    }
  }
  ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
    document.addEventListener(name, restart, { passive: true });
  });
  restart();

  // A keypad types into the field it names or, naming several (the acceptance number and its
  // check code), into whichever of them was touched last.
  document.querySelectorAll("[data-keypad]").forEach(function (pad) {
    var fields = pad.getAttribute("data-keypad").split(/\s+/).map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    if (!fields.length) { return; }
    // The field focused now (autofocus may already have happened), else the first.
    var field = fields.indexOf(document.activeElement) >= 0 ? document.activeElement : fields[0];
    fields.forEach(function (each) {
      each.addEventListener("focus", function () { field = each; });
    });
    pad.hidden = false;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = key.getAttribute("data-key");
      if (value === "clear") { field.value = ""; }
      else if (value === "back") { field.value = field.value.slice(0, -1); }
      else if (!field.maxLength || field.maxLength < 0 || field.value.length < field.maxLength) { field.value += value; }
      field.focus();
    });
  });
})();
