/* Every page of the admin: what Django's own widgets leave out for assistive technology.
   Loaded with defer; the widgets are drawn on window "load", so this runs after them. */
"use strict";
window.addEventListener("load", function () {
  // The filter box icon of a two-list selector carries a label on a plain span (axe:
  // aria-prohibited-attr): give it the role of an image, which may be named.
  document.querySelectorAll(".search-label-icon[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});
