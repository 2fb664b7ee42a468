"use strict";
// The admin's autocomplete fields (select2, vendored by Django) type into a search box that has
// no accessible name: a screen reader announces "zone de recherche" without saying for which
// field, and axe-core reports it (WCAG 4.1.2). Each search box select2 adds to the page — the
// one inside a multiple field, the one of an open drop-down — takes the name of its <select>:
// its <label>, or the aria-label a tabular inline gives it (core.admin_inlines). So does the
// combobox select2 shows in place of the <select>: select2 names it by the text of the current
// choice (aria-labelledby), which is nothing while the field is empty.
(function () {
  function nameOf(select) {
    if (!select) {
      return "";
    }
    const own = select.getAttribute("aria-label");
    if (own) {
      return own;
    }
    const label = select.id ? document.querySelector('label[for="' + CSS.escape(select.id) + '"]') : null;
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  function selectOf(field) {
    const dropdown = field.closest(".select2-dropdown");
    if (dropdown) {
      // The drop-down hangs off <body>; its list is named "select2-<id of the select>-results".
      const list = dropdown.querySelector(".select2-results__options");
      const match = list ? /^select2-(.+)-results$/.exec(list.id) : null;
      return match ? document.getElementById(match[1]) : null;
    }
    // A multiple field's search box: inside the container select2 puts after the <select>.
    const container = field.closest(".select2-container");
    const select = container ? container.previousElementSibling : null;
    return select && select.tagName === "SELECT" ? select : null;
  }

  function nameSelection(container) {
    const select = container.previousElementSibling;
    const name = select && select.tagName === "SELECT" ? nameOf(select) : "";
    if (!name) {
      return;
    }
    container.querySelectorAll('.select2-selection[role="combobox"]').forEach(function (box) {
      box.removeAttribute("aria-labelledby");
      box.setAttribute("aria-label", name);
    });
    // A single choice's current value sits in a read-only textbox of its own.
    container.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach(function (box) {
      box.setAttribute("aria-label", name);
    });
  }

  function label(root) {
    if (root.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    const containers = root.matches(".select2-container") ? [root] : root.querySelectorAll(".select2-container");
    containers.forEach(nameSelection);
    const fields = root.matches(".select2-search__field") ? [root] : root.querySelectorAll(".select2-search__field");
    fields.forEach(function (field) {
      if (field.hasAttribute("aria-label")) {
        return;
      }
      const name = nameOf(selectOf(field));
      if (name) {
        field.setAttribute("aria-label", name);
      }
    });
  }

  new MutationObserver(function (mutations) {
    mutations.forEach(function (mutation) {
      mutation.addedNodes.forEach(label);
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
