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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-place-target]").forEach(placeSuggestions);
    var text = document.getElementById("source-text");
    if (text) { spanSelection(text); }
  });
})();
