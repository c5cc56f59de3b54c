// A scanned QR code carries the code after "#": it never reaches the server's logs. Hand it over by POST.
(function () {
  var token = window.location.hash.slice(1);
  if (/^[0-9a-f]{32}$/.test(token)) {
    history.replaceState(null, "", window.location.pathname);
    var form = document.getElementById("code-form");
    form.elements.code.value = token;
    form.submit();
  }
})();
