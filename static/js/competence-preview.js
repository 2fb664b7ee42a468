/* The competence preview, live, on an offer's admin page (structures/admin/competence.py).
 *
 * While the form is edited, it is posted as it stands (with its CSRF token) to the page's
 * preview endpoint, which validates it as a save would and answers what the change does to
 * the searches that find the offer. This script decides nothing: it shows the sentences, the
 * note or the errors it is given in the polite live region, shows the confirmation box when the
 * answer says the change narrows, and keeps the preview's digest so that a confirmation counts
 * for the preview shown. Without it, the preview comes with the first refused save.
 */
(function () {
  "use strict";

  var DELAY = 350; // ms after the last keystroke or choice

  function init() {
    var region = document.getElementById("competence-preview");
    if (!region || !region.dataset.previewUrl) {
      return;
    }
    var form = region.closest("form");
    var fieldset = region.closest("fieldset");
    var list = region.querySelector("ul");
    var digest = form.querySelector('input[name="narrowing_digest"]');
    var confirm = form.querySelector('input[name="confirm_narrowing"]');
    var timer = null;
    var sent = 0;

    function show(lines, className) {
      var items = [];
      lines.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        items.push(item);
      });
      list.replaceChildren.apply(list, items);
      list.className = "competence-preview" + (className ? " " + className : "");
    }

    function narrowing(narrows, newDigest) {
      fieldset.classList.toggle("competence-narrows", narrows);
      if (digest && digest.value !== newDigest) {
        digest.value = newDigest;
        if (confirm) {
          confirm.checked = false; // a confirmation counts for the preview it was given for
        }
      }
    }

    function unavailable(errors) {
      var prefix = region.dataset.unavailable || "";
      show(errors.map(function (error) { return prefix + error; }), "competence-preview-error");
    }

    function refresh() {
      var number = ++sent;
      fetch(region.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: {"Accept": "application/json"},
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return {ok: response.ok, data: data};
          });
        })
        .then(function (answer) {
          if (number !== sent) {
            return; // a later edit's answer is on its way
          }
          if (!answer.ok) {
            unavailable(answer.data.errors || []);
            return;
          }
          var data = answer.data;
          show(data.unchanged ? [data.note] : data.sentences, data.narrows ? "competence-preview-narrows" : "");
          narrowing(data.narrows, data.digest);
        })
        .catch(function () {
          if (number === sent) {
            unavailable([region.dataset.offline || ""]);
          }
        });
    }

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY);
    }

    function ownField(event) {
      // The box and the digest are the preview's own: ticking the box previews nothing new.
      var name = event.target && event.target.name;
      if (name !== "confirm_narrowing" && name !== "narrowing_digest") {
        schedule();
      }
    }

    form.addEventListener("input", ownField);
    form.addEventListener("change", ownField);
    // The autocomplete fields (Select2) announce a choice as a jQuery event only.
    if (window.django && window.django.jQuery) {
      window.django.jQuery(form).on("select2:select select2:unselect select2:clear", schedule);
    }
    // Rows added or removed by the inline formsets.
    document.addEventListener("formset:added", schedule);
    document.addEventListener("formset:removed", schedule);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
