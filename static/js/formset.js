/* "Add another member": copy the empty member form from its <template> and count it in the
   formset's TOTAL_FORMS. Without JavaScript the page keeps its spare blank rows and offers a
   link for more; with it, the spare rows go and the button adds one row at a time. */
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (container) {
    var prefix = container.getAttribute("data-formset");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = container.querySelector("template[data-empty-form]");
    var list = container.querySelector("[data-forms]");
    var button = container.querySelector("[data-add-form]");
    if (!total || !template || !list || !button) {
      return;
    }
    container.querySelectorAll("[data-no-js]").forEach(function (element) {
      element.hidden = true;
    });
    // Blank rows are there for browsers without JavaScript; here the button adds rows.
    container.querySelectorAll("[data-spare-row]").forEach(function (row) {
      row.remove();
      total.value = String(parseInt(total.value, 10) - 1);
    });
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__num__/g, String(index + 1));
      list.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = list.lastElementChild;
      if (added) {
        added.dispatchEvent(new CustomEvent("formset:added", { bubbles: true }));
      }
      var first = added && added.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
