/* The referral form: the fields the chosen basis requires are marked required (the * of a
   required label, aria-required on the input); the other basis's fields are folded away.
   Without JavaScript both groups show, the basis posted decides, and the server names
   whatever is missing (cases/casework/forms/referrals.py). */
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="basis"]');
  if (!radios.length) {
    return;
  }

  function update() {
    var checked = document.querySelector('input[name="basis"]:checked');
    var basis = checked ? checked.value : "";
    document.querySelectorAll("[data-required-when]").forEach(function (input) {
      var required = input.getAttribute("data-required-when") === basis;
      var label = document.querySelector('label[for="' + input.id + '"]');
      if (required) {
        input.setAttribute("aria-required", "true");
      } else {
        input.removeAttribute("aria-required");
      }
      if (label) {
        label.classList.toggle("required", required);
      }
    });
    document.querySelectorAll("fieldset[data-basis]").forEach(function (group) {
      var hasError = group.querySelector(".errorlist");
      group.hidden = group.getAttribute("data-basis") !== basis && !hasError;
    });
  }

  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
