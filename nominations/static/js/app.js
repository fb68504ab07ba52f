// Small progressive enhancements; the server checks every rule on its own.
(function () {
  "use strict";

  // Live word counter: <textarea data-word-limit="N" aria-describedby="... id-count">
  function countWords(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }
  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var output = document.getElementById(area.id + "-count");
    if (!output) { return; }
    function update() {
      var words = countWords(area.value);
      output.textContent = words + " of " + limit + " words";
      output.classList.toggle("over", words > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  // Buttons that ask before doing something that cannot be undone: data-confirm="question".
  document.querySelectorAll("[data-confirm]").forEach(function (element) {
    element.addEventListener("click", function (event) {
      if (!window.confirm(element.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
