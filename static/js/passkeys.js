// After django-otp-webauthn's script has registered a passkey, go to the page the server named
// (the account's two-step verification page, which says what was done).
(function () {
  "use strict";
  document.addEventListener("otp_webauthn.register_complete", function () {
    var config = document.getElementById("otp_webauthn_config");
    var target = config ? JSON.parse(config.textContent).afterRegistrationUrl : "";
    window.location.assign(target || window.location.href);
  });
})();
