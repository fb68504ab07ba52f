// Small progressive enhancements; the server checks every rule on its own, and every page
// works without this file.
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
      // The page's own words for "N of M words" (in the reader's language), {count} for N.
      var template = output.getAttribute("data-template");
      output.textContent = template
        ? template.replace("{count}", words)
        : words + " of " + limit + " words";
      output.classList.toggle("over", words > limit);
    }
    area.addEventListener("input", update);
    update();
  });

  // The error summary of a refused form (templates/_forms.html): it has the focus when the
  // page loads (autofocus does it where the browser supports it on any element), and each of
  // its links puts the focus in its field, with the field's label in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = (field.labels && field.labels[0]) || field.closest("fieldset") || field;
      label.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // Buttons that ask before doing something that cannot be undone: data-confirm="question".
  // Without this script the server asks on a page of its own (nominations/confirming.py);
  // here the browser asks, and confirmed=1 tells the server it has been asked.
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
        return;
      }
      var form = button.form;
      if (form && !form.querySelector("input[name='confirmed']")) {
        var confirmed = document.createElement("input");
        confirmed.type = "hidden";
        confirmed.name = "confirmed";
        confirmed.value = "1";
        form.appendChild(confirmed);
      }
    });
  });
})();
