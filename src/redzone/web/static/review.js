// Extraction review with the keyboard: j / k move between proposals (the highlight in the text
// follows), a accepts, e opens the edit form, r rejects with the chosen reason. Clicking a
// highlight selects its proposal. Every action is an ordinary form post; this only adds speed.
(function () {
  "use strict";

  function start() {
    var cards = Array.prototype.slice.call(document.querySelectorAll("article.proposal"));
    if (!cards.length) { return; }
    var marks = Array.prototype.slice.call(document.querySelectorAll("mark.fact[data-proposals]"));
    var index = -1;

    function select(i, scroll) {
      if (i < 0 || i >= cards.length) { return; }
      if (index >= 0) { cards[index].classList.remove("current"); }
      index = i;
      var card = cards[index];
      card.classList.add("current");
      card.focus({ preventScroll: true });
      if (scroll !== false) { card.scrollIntoView({ block: "nearest" }); }
      var number = card.getAttribute("data-number");
      marks.forEach(function (mark) {
        var on = mark.getAttribute("data-proposals").split(" ").indexOf(number) >= 0;
        mark.classList.toggle("current", on);
        if (on && scroll !== false) { mark.scrollIntoView({ block: "nearest" }); }
      });
    }

    function firstOpen() {
      for (var i = 0; i < cards.length; i++) {
        if (cards[i].classList.contains("status-open")) { return i; }
      }
      return 0;
    }

    marks.forEach(function (mark) {
      mark.addEventListener("click", function () {
        var number = mark.getAttribute("data-proposals").split(" ")[0];
        for (var i = 0; i < cards.length; i++) {
          if (cards[i].getAttribute("data-number") === number) { select(i); return; }
        }
      });
    });
    cards.forEach(function (card, i) {
      card.addEventListener("click", function () { if (index !== i) { select(i, false); } });
    });

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (target && /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName)) { return; }
      var card = cards[index];
      if (event.key === "j") { select(index < 0 ? firstOpen() : index + 1); }
      else if (event.key === "k") { select(index < 0 ? firstOpen() : index - 1); }
      else if (card && event.key === "a") {
        var accept = card.querySelector("button[data-action=accept]");
        if (accept) { accept.click(); }
      } else if (card && event.key === "r") {
        var reject = card.querySelector("button[data-action=reject]");
        if (reject) { reject.click(); }
      } else if (card && event.key === "e") {
        var edit = card.querySelector("details.edit");
        if (edit) { edit.open = true; var field = edit.querySelector("select, input:not([type=hidden])"); if (field) { field.focus(); } }
      } else { return; }
      event.preventDefault();
    });
    select(firstOpen(), false);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
