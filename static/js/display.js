// The hall display: polls the hall's display feed (the API) and redraws the called tickets and
// the queues. Numbers only; text goes in with textContent. Without JS a meta refresh reloads.
(function () {
  "use strict";
  var body = document.body;
  var feed = body.getAttribute("data-feed");
  var minutes = body.getAttribute("data-minutes") || "min";
  if (!feed || !window.fetch) { return; }
  var called = document.querySelector("[data-role=called]");
  var queues = document.querySelector("[data-role=queues]");
  var clock = document.querySelector("[data-role=clock]");
  var last = "";

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) {
      var span = document.createElement("span");
      span.className = className;
      span.textContent = text;
      td.appendChild(span);
    } else {
      td.textContent = text;
    }
    row.appendChild(td);
    return td;
  }

  function draw(data) {
    var rows = document.createDocumentFragment();
    data.called.forEach(function (c, i) {
      var tr = document.createElement("tr");
      if (i === 0) { tr.className = "display-latest"; }
      cell(tr, c.number);
      cell(tr, c.window);
      rows.appendChild(tr);
    });
    if (!data.called.length) {
      var none = document.createElement("tr");
      none.className = "display-none";
      cell(none, "—").colSpan = 2;
      rows.appendChild(none);
    }
    var key = JSON.stringify(data.called);
    if (key !== last) {  // only a change is announced to screen readers
      called.replaceChildren(rows);
      last = key;
    }
    var qs = document.createDocumentFragment();
    data.queues.forEach(function (q) {
      var tr = document.createElement("tr");
      var first = cell(tr, q.letter, "display-letter");
      first.appendChild(document.createTextNode(" " + q.name));
      cell(tr, String(q.waiting));
      cell(tr, q.estimated_minutes + " " + minutes);
      qs.appendChild(tr);
    });
    queues.replaceChildren(qs);
    var at = new Date(data.at);
    if (!isNaN(at)) {
      clock.textContent = String(at.getHours()).padStart(2, "0") + ":" + String(at.getMinutes()).padStart(2, "0");
    }
  }

  function poll() {
    fetch(feed, { headers: { Accept: "application/json" }, credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { draw(data); } })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, 4000); });
  }
  window.setTimeout(poll, 4000);
})();
