/* Specific needs as a search box. The page sends a grouped <select multiple> that works
   without JavaScript; here it is hidden (it is still what the form submits) and replaced by
   the chosen needs, each with a "Remove" button, and a search box that lists the matching
   needs by category. Typing a category code (SC) or a word (child) narrows the list; Enter
   picks the first match. The labels come from data- attributes, translated by the page. */
(function () {
  "use strict";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function enhance(root) {
    var select = root.querySelector("select[multiple]");
    var label = root.querySelector("label");
    if (!select || !label || root.hasAttribute("data-enhanced")) {
      return;
    }
    root.setAttribute("data-enhanced", "");
    root.querySelectorAll("[data-no-js]").forEach(function (node) {
      node.hidden = true;
    });
    var chosen = element("ul", "chips");
    chosen.setAttribute("aria-live", "polite");
    var search = element("input");
    search.type = "search";
    search.id = select.id + "_search";
    search.autocomplete = "off";
    search.placeholder = root.getAttribute("data-placeholder") || "";
    if (select.hasAttribute("aria-describedby")) {
      search.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    search.setAttribute("aria-controls", select.id + "_results");
    var results = element("div", "needs-results");
    results.id = select.id + "_results";
    results.hidden = true;
    label.htmlFor = search.id;
    select.hidden = true;
    select.tabIndex = -1;
    // The chosen needs and the search box share a line while there is room.
    var line = element("div", "needs-line");
    line.appendChild(chosen);
    line.appendChild(search);
    select.insertAdjacentElement("afterend", results);
    select.insertAdjacentElement("afterend", line);

    function showChosen() {
      chosen.textContent = "";
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        var item = element("li", "chip");
        item.appendChild(element("span", "", option.textContent));
        var remove = element("button", "link-button", "×");
        remove.type = "button";
        remove.setAttribute("aria-label", root.getAttribute("data-remove") + ": " + option.textContent);
        remove.addEventListener("click", function () {
          option.selected = false;
          showChosen();
          search.focus();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
      chosen.hidden = select.selectedOptions.length === 0;
    }

    function matching() {
      var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var groups = [];
      select.querySelectorAll("optgroup").forEach(function (group) {
        var title = group.label.toLowerCase();
        var options = Array.prototype.filter.call(group.querySelectorAll("option"), function (o) {
          var text = (title + " " + o.value + " " + o.textContent).toLowerCase();
          return !o.selected && words.every(function (word) { return text.indexOf(word) !== -1; });
        });
        if (options.length) {
          groups.push({ label: group.label, options: options });
        }
      });
      return groups;
    }

    function showResults() {
      var groups = matching();
      results.textContent = "";
      if (!groups.length) {
        results.appendChild(element("p", "muted", root.getAttribute("data-none")));
      }
      groups.forEach(function (group) {
        results.appendChild(element("p", "needs-group", group.label));
        var list = element("ul");
        group.options.forEach(function (option) {
          var item = element("li");
          var pick = element("button", "needs-option", option.textContent);
          pick.type = "button";
          pick.addEventListener("click", function () {
            option.selected = true;
            search.value = "";
            showChosen();
            close();
            search.focus();
          });
          item.appendChild(pick);
          list.appendChild(item);
        });
        results.appendChild(list);
      });
      results.hidden = false;
    }

    function close() {
      results.hidden = true;
    }

    search.addEventListener("input", showResults);
    search.addEventListener("focus", showResults);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter picks a need; it must not submit the registration
        var first = results.querySelector(".needs-option");
        if (!results.hidden && first && search.value.trim()) {
          first.click();
        }
      } else if (event.key === "Escape") {
        close();
      } else if (event.key === "ArrowDown") {
        var next = results.querySelector(".needs-option");
        if (next) {
          event.preventDefault();
          next.focus();
        }
      }
    });
    root.addEventListener("focusout", function (event) {
      if (!root.contains(event.relatedTarget)) {
        close();
      }
    });
    showChosen();
  }

  function enhanceAll(scope) {
    scope.querySelectorAll("[data-needs-picker]").forEach(enhance);
  }

  enhanceAll(document);
  // A member row added by static/js/formset.js gets its own picker.
  document.addEventListener("formset:added", function (event) {
    enhanceAll(event.target);
  });
})();
