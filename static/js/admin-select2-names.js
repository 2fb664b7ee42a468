/* Accessible names for the admin's autocomplete fields (Select2) on the offer's page.
 *
 * Select2 hides the <select> and shows its own combobox (named by the text of the current
 * choice: nothing when empty) and, for a multiple choice, a search box with no name at all.
 * Both take the name of the field they stand for: its <label>, else the select's aria-label
 * (the rows of a tabular inline, whose column header is not a label).
 */
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var text = label ? label.textContent : select.getAttribute("aria-label") || "";
    return text.replace(/\s*:\s*$/, "").trim();
  }

  function name(root) {
    (root || document).querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var text = fieldName(select);
      if (!text || !container || !container.classList.contains("select2")) {
        return;
      }
      container.querySelectorAll('.select2-selection[role="combobox"]').forEach(function (box) {
        box.removeAttribute("aria-labelledby");
        box.setAttribute("aria-label", text);
      });
      // A single choice's current value is shown in a read-only textbox of its own.
      container.querySelectorAll('.select2-selection__rendered[role="textbox"]').forEach(function (box) {
        box.setAttribute("aria-label", text);
      });
      container.querySelectorAll(".select2-search__field").forEach(function (search) {
        search.setAttribute("aria-label", text);
      });
    });
  }

  // After the admin has turned the selects into Select2 (on its own ready handler), and for
  // each row an inline formset adds.
  window.addEventListener("load", function () { name(document); });
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () { name(event.target); }, 0);
  });
})();
