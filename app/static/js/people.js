// A search box over a list of people to tick: it narrows the list as one types, ignoring case
// and diacritics (Čakovec matches "cakovec"), and says how many are shown and chosen. Without
// JavaScript the box stays hidden and the whole list is shown.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  }
  document.querySelectorAll("[data-people-picker]").forEach(function (picker) {
    var search = picker.querySelector(".people-search");
    var input = picker.querySelector("input[type=search]");
    var count = picker.querySelector("[data-message]");
    var items = Array.prototype.slice.call(picker.querySelectorAll(".people-list li"));
    if (!search || !input || !count) return;
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
    var texts = items.map(function (item) { return fold(item.textContent); });
    var timer = null;
    function update(announce) {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, index) {
        var box = item.querySelector("input");
        var match = words.every(function (word) { return texts[index].indexOf(word) !== -1; });
        // A ticked person stays in view: hiding a choice would make it easy to forget.
        item.hidden = !(match || (box && box.checked));
        if (!item.hidden) shown += 1;
      });
      var chosen = picker.querySelectorAll(".people-list input:checked").length;
      var message = count.getAttribute("data-message")
        .replace("%(shown)s", numbers.format(shown))
        .replace("%(total)s", numbers.format(items.length))
        .replace("%(chosen)s", numbers.format(chosen));
      // Screen readers hear the count once typing pauses, not after every key.
      clearTimeout(timer);
      if (announce) timer = setTimeout(function () { count.textContent = message; }, 400);
      else count.textContent = message;
    }
    search.hidden = false;
    input.addEventListener("input", function () { update(true); });
    picker.addEventListener("change", function () { update(false); });
    input.addEventListener("keydown", function (event) {
      // Enter in the search box must not submit the whole assignment form.
      if (event.key === "Enter") event.preventDefault();
    });
    update(false);
  });
})();
