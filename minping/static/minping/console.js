// Behaviour the console's markup asks for with data attributes, so that no page carries inline script and the
// Content-Security-Policy can forbid it: data-confirm on a button asks before its form is sent; data-autosubmit
// on a select sends its form when the choice changes; data-searchable on a select puts a search box before it
// that keeps only the options containing what is typed.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var message = (button && button.dataset.confirm) || event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
}, true);
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = select.dataset.searchPlaceholder || "输入名称筛选";
    search.setAttribute("aria-label", search.placeholder);
    search.className = "select-search";
    select.parentNode.insertBefore(search, select);
    search.addEventListener("input", function () {
      var text = search.value.trim();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !text || !option.value || option.text.indexOf(text) >= 0;
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      });
      if (first && select.selectedOptions.length && select.selectedOptions[0].hidden) select.value = first.value;
    });
  });
});
