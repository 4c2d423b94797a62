// Progressive enhancement for forms: place suggestions from the gazetteer, selecting the quoted
// span of a testimony for an act, and confirmation of the second factor. Every form works without it.
(function () {
  "use strict";

  function placeSuggestions(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var hidden = document.getElementById(input.getAttribute("data-place-target"));
    var timer = null;
    input.addEventListener("input", function () {
      if (hidden) { hidden.value = ""; }
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 1) { return; }
      timer = setTimeout(function () {
        fetch("/places/suggest?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : []; })
          .then(function (places) {
            list.textContent = "";
            places.forEach(function (place) {
              var option = document.createElement("option");
              option.value = place.label;
              option.setAttribute("data-id", place.id);
              list.appendChild(option);
            });
            var exact = places.filter(function (p) { return p.label === input.value; })[0];
            if (exact && hidden) { hidden.value = exact.id; }
          });
      }, 150);
    });
    input.addEventListener("change", function () {
      var options = list.querySelectorAll("option");
      for (var i = 0; i < options.length; i++) {
        if (options[i].value === input.value && hidden) { hidden.value = options[i].getAttribute("data-id"); }
      }
    });
  }

  // Character offsets of the selection inside the testimony text, counted in the text itself
  // (the same offsets the server stores), shown beside the act-coding form.
  function spanSelection(textNode) {
    var start = document.getElementById("span_start");
    var end = document.getElementById("span_end");
    var quote = document.getElementById("span_quote");
    if (!start || !end) { return; }
    document.addEventListener("selectionchange", function () {
      var selection = window.getSelection();
      if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
      var range = selection.getRangeAt(0);
      if (!textNode.contains(range.startContainer) || !textNode.contains(range.endContainer)) { return; }
      var before = document.createRange();
      before.selectNodeContents(textNode);
      before.setEnd(range.startContainer, range.startOffset);
      // Code points, as Python counts them (not UTF-16 units).
      var from = Array.from(before.toString()).length;
      var to = from + Array.from(range.toString()).length;
      if (to > from) {
        start.value = from;
        end.value = to;
        if (quote) { quote.textContent = "\u201c" + range.toString() + "\u201d"; }
      }
    });
  }

  // Journey rows: the form carries several blank rows (all shown without script); show the filled
  // ones and the first blank one, and reveal one more at each "Add a step".
  function journeyRows(button) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-journey-row]"));
    function filled(row) {
      return Array.prototype.some.call(row.querySelectorAll("input:not([type=hidden]), select[name=step_kind]"),
        function (field) { return field.value !== ""; });
    }
    var shown = false;
    rows.forEach(function (row) {
      if (filled(row)) { return; }
      if (shown) { row.hidden = true; } else { shown = true; }
    });
    function update() { button.hidden = !rows.some(function (row) { return row.hidden; }); }
    button.addEventListener("click", function () {
      var next = rows.filter(function (row) { return row.hidden; })[0];
      if (next) {
        next.hidden = false;
        var first = next.querySelector("select");
        if (first) { first.focus(); }
      }
      update();
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var addStep = document.getElementById("add-journey-step");
    if (addStep) { journeyRows(addStep); }
    document.querySelectorAll("input[data-place-target]").forEach(placeSuggestions);
    var text = document.getElementById("source-text");
    if (text) { spanSelection(text); }
  });
})();
