// Behaviour the console's markup asks for with data attributes, so that no page carries inline script and the
// Content-Security-Policy can forbid it: data-confirm on a button asks before its form is sent; data-autosubmit
// on a select sends its form when the choice changes.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
