/* Commune autocomplete for "Où est votre entreprise ?" (ARIA 1.2 combobox pattern).
   Progressive enhancement: without it the field is a plain text input that the server parses
   (commune name, postal code or SIRET). Choosing a suggestion fills the hidden "commune" field
   with its INSEE code; typing again clears it. Suggestions come from the public territory API,
   which also offers communes spelt nearly like the text when none matches it ("match":
   "approximate"): those are labelled as spelling suggestions ("Vouliez-vous dire :"). */
(function () {
  "use strict";
  var API = "/api/v1/territories/?level=commune&level=arrondissement&page_size=8&q=";
  var MIN_CHARS = 2;
  var DELAY_MS = 200;

  function setup(input) {
    var form = input.form;
    var hidden = form && form.querySelector('input[name="commune"]');
    if (!hidden) { return; }
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    var suggestionsLabel = input.getAttribute("data-suggestions-label") || "";
    var approximateLabel = input.getAttribute("data-approximate-label") || suggestionsLabel;
    var approximateHint = input.getAttribute("data-approximate-hint") || "";
    list.setAttribute("aria-label", suggestionsLabel);
    list.hidden = true;
    input.parentNode.appendChild(list);
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var lastQuery = "";
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("li");
      options.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      input.value = item.name;
      hidden.value = item.code;
      close();
      status.textContent = item.name + " (" + item.code + ")";
    }

    function render(results) {
      items = results;
      list.innerHTML = "";
      var approximate = results.filter(function (item) { return item.match === "approximate"; });
      var onlyApproximate = results.length > 0 && approximate.length === results.length;
      if (onlyApproximate) {
        list.setAttribute("data-note", approximateLabel);
        list.setAttribute("aria-label", approximateLabel);
      } else {
        list.removeAttribute("data-note");
        list.setAttribute("aria-label", suggestionsLabel);
      }
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = item.name;
        var detail = document.createElement("span");
        detail.className = "ac-detail";
        detail.textContent = " — " + (item.parent ? item.parent.name + ", " : "") + item.code;
        li.appendChild(name);
        li.appendChild(detail);
        // In a list mixing names that match and spelling suggestions, each suggestion says so.
        if (item.match === "approximate" && approximateHint && !onlyApproximate) {
          li.className = "ac-approximate";
          var hint = document.createElement("span");
          hint.className = "ac-detail ac-hint";
          hint.textContent = " · " + approximateHint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = (onlyApproximate ? approximateLabel : suggestionsLabel + " :") +
          " " + results.length + (approximate.length ? " (" + approximateHint + ")" : "");
      } else {
        close();
      }
      active = -1;
    }

    function search(query) {
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(API + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (query === lastQuery) { render(data.results || data || []); }
        })
        .catch(function () { /* offline or aborted: the plain field still works */ });
    }

    input.addEventListener("input", function () {
      hidden.value = "";
      var query = input.value.trim();
      lastQuery = query;
      window.clearTimeout(timer);
      // Digits are a postal code or a SIRET: the server understands them as typed.
      if (query.length < MIN_CHARS || /^[0-9 ]+$/.test(query)) { close(); return; }
      timer = window.setTimeout(function () { search(query); }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && items.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        highlight((active + 1) % items.length);
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        highlight(active <= 0 ? items.length - 1 : active - 1);
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (active >= 0) { choose(active); event.preventDefault(); }
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  function init() {
    document.querySelectorAll('input[data-autocomplete="commune"]').forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
