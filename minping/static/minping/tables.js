// On a phone a wide table reads as cards: each row a card, each cell under the name of its column. This names
// every cell after its column header (data-label) and marks the table; the stylesheet does the rest below 640 px.
// Without scripts the table scrolls sideways instead, its cells kept wide enough to read.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-wrap table, table.results").forEach(function (table) {
    var headers = table.querySelectorAll("thead tr:last-child th");
    if (!headers.length) return;
    var names = [];
    headers.forEach(function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) names.push(th.textContent.trim());
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (names[column] && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", names[column]);
        column += cell.colSpan || 1;
      });
    });
    table.classList.add("cards");
  });
});
