/* Every page of the admin: what Django's own widgets leave out for assistive technology.
   Loaded with defer; the widgets are drawn on window "load", so this runs after them. */
"use strict";
window.addEventListener("load", function () {
  // The filter box icon of a two-list selector carries a label on a plain span: give it a role.
  document.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
  // A table row of an inline: each input, select and text area named by its column's heading.
  document.querySelectorAll(".tabular table").forEach(function (table) {
    const headings = Array.from(table.querySelectorAll("thead th")).map(function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      const number = row.querySelector("td.original p") ? 1 : 0;
      Array.from(row.children).forEach(function (cell, index) {
        const heading = headings[index - number] || headings[index];
        cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
          if (heading && !field.labels.length && !field.getAttribute("aria-label")) {
            field.setAttribute("aria-label", heading);
          }
        });
      });
    });
  });
});
