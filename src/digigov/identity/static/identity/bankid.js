// BankID's waiting page, in place: this second's QR every second, the order collected
// every two seconds, and the order cancelled when the person leaves. Without this
// script the page reloads itself and does the same.
(function () {
  "use strict";
  var box = document.getElementById("bankid-order");
  if (!box || box.dataset.over) { return; }
  // the page's own refresh is for browsers without script
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.remove(); }
  var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
  var csrf = token ? token.value : "";
  var message = document.getElementById("bankid-message");
  var image = document.getElementById("bankid-qr-image");
  var text = document.getElementById("bankid-qr-text");
  var finished = false;

  function post(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    });
  }

  function showQr() {
    if (finished || box.dataset.qr !== "1") { return; }
    fetch(box.dataset.qrUrl, { credentials: "same-origin" }).then(function (response) {
      return response.status === 200 ? response.json() : null;
    }).then(function (answer) {
      if (!answer || finished) { return; }
      image.innerHTML = answer.svg;
      if (text && answer.text) { text.textContent = answer.text; }
    }).catch(function () {});
  }

  function collect() {
    if (finished) { return; }
    post(box.dataset.collectUrl).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (answer.status === "pending") {
        if (message && message.textContent !== answer.message) { message.textContent = answer.message; }
        return;
      }
      finished = true;
      // complete: on to where the sign-in leads; failed: the page says why
      window.location.assign(answer.next || window.location.href);
    }).catch(function () {});
  }

  // starting the app on this device leaves the page, but not the order
  var launch = document.getElementById("bankid-launch");
  if (launch) { launch.addEventListener("click", function () { finished = true; }); }

  window.setInterval(showQr, 1000);
  window.setInterval(collect, 2000);
  window.addEventListener("pagehide", function () {
    if (finished) { return; }
    var form = new FormData();
    form.append("csrfmiddlewaretoken", csrf);
    navigator.sendBeacon(box.dataset.cancelUrl, form);
  });
}());
