// The review form: shows the weighted total (sum of weight x score / sum of weights) live.
// The server computes and checks everything again; this is only a help while scoring.
(function () {
  "use strict";

  var form = document.querySelector("form[data-review-form]");
  if (!form) { return; }
  var output = document.getElementById("weighted-total");
  var note = document.getElementById("weighted-total-note");
  var fields = Array.prototype.slice.call(form.querySelectorAll("select[data-weight]"));
  if (!output || fields.length === 0) { return; }

  function update() {
    var total = 0;
    var weights = 0;
    var scored = 0;
    fields.forEach(function (field) {
      var weight = parseFloat(field.getAttribute("data-weight"));
      if (field.value === "" || isNaN(weight)) { return; }
      total += weight * parseInt(field.value, 10);
      weights += weight;
      scored += 1;
    });
    if (scored === 0) {
      output.textContent = "—";
      note.textContent = "";
      return;
    }
    output.textContent = (total / weights).toFixed(2);
    // The sentence comes from the page, in the reader's language: "({scored} of {total} ...)".
    var partial = note.getAttribute("data-partial") || "({scored} of {total} criteria scored so far)";
    note.textContent = scored < fields.length
      ? partial.replace("{scored}", scored).replace("{total}", fields.length)
      : "";
  }

  fields.forEach(function (field) {
    field.addEventListener("change", update);
    field.addEventListener("input", update);
  });
  update();
})();
