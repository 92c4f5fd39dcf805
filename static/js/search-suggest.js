// Suggestions under the catalogue search box, as one types (WAI-ARIA combobox with a listbox).
// Progressive enhancement: without this script the form is a plain GET search. No framework,
// no inline script or style (CSP: script-src 'self'); text goes in as text, never as HTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[type=search]");
  var list = form.querySelector("[role=listbox]");
  var status = form.querySelector("[role=status]");
  if (!input || !list) { return; }
  var url = form.getAttribute("data-suggest-url");
  var bundleLabel = form.getAttribute("data-bundle-label") || "";
  var countText = form.getAttribute("data-count-text") || "%s";
  // The page's language picks the name shown: English pages show English names where kept.
  var english = /^en\b/i.test(document.documentElement.lang || "");
  var items = [];
  var active = -1;
  var timer = null;
  var pending = null;
  var lastQuery = "";

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  function close() {
    list.hidden = true;
    list.textContent = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === index ? "true" : "false");
    }
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(results) {
    list.textContent = "";
    items = results;
    active = -1;
    results.forEach(function (result, i) {
      var option = document.createElement("li");
      option.id = list.id + "-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "search-suggestion search-suggestion-" + result.kind;
      if (result.kind === "bundle" && bundleLabel) {
        var tag = document.createElement("span");
        tag.className = "search-suggestion-tag";
        tag.textContent = bundleLabel;
        option.appendChild(tag);
      }
      option.appendChild(document.createTextNode((english && result.name_en) || result.name));
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep focus in the box until we leave the page
        window.location.assign(result.url);
      });
      list.appendChild(option);
    });
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (status) { status.textContent = open ? countText.replace("%s", results.length) : ""; }
  }

  function ask() {
    var query = input.value.trim();
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (!query) { close(); return; }
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() === query) { render(data.results || []); }
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && items.length > 0;
    if (event.key === "ArrowDown") {
      if (!open) { lastQuery = ""; ask(); return; }
      event.preventDefault();
      highlight(active + 1 < items.length ? active + 1 : 0);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(active > 0 ? active - 1 : items.length - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      window.location.assign(items[active].url);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () { window.setTimeout(close, 100); });
})();
