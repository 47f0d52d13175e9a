// A SAML answer is carried by a form; with script it goes on by itself, without it the
// person presses the button.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosubmit]");
  if (form) { form.submit(); }
}());
