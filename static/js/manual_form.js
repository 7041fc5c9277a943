// The manual form's instruction list (templates/response/manuals/form.html): add a line,
// move a line up or down. The No. fields follow the order on the page, so the server
// saves the lines in the order they are shown; without JavaScript the No. fields do it.
(function () {
  "use strict";
  var total = document.getElementById("id_lines-TOTAL_FORMS");
  var rows = document.getElementById("line-rows");
  var template = document.getElementById("empty-line");
  if (!total || !rows || !template) return;

  function lines() {
    return Array.prototype.slice.call(rows.querySelectorAll("[data-line]"));
  }

  function inUse(line) {
    var text = line.querySelector(".line-text");
    var order = line.querySelector(".line-order");
    return (text && text.value.trim() !== "") || (order && order.defaultValue !== "");
  }

  // Only lines in use get a number: a blank extra line must stay untouched, or the
  // server would ask for its text.
  function renumber() {
    var n = 0;
    lines().forEach(function (line) {
      var order = line.querySelector(".line-order");
      if (!order) return;
      if (inUse(line)) {
        n += 1;
        order.value = String(n);
      }
    });
  }

  document.getElementById("add-line").addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var added = rows.lastElementChild;
    var text = added && added.querySelector(".line-text");
    if (text) text.focus();
  });

  rows.addEventListener("click", function (e) {
    var up = e.target.closest(".line-up");
    var down = e.target.closest(".line-down");
    if (!up && !down) return;
    var line = e.target.closest("[data-line]");
    if (up && line.previousElementSibling) {
      rows.insertBefore(line, line.previousElementSibling);
    } else if (down && line.nextElementSibling) {
      rows.insertBefore(line.nextElementSibling, line);
    }
    renumber();
    (up || down).focus();
  });

  rows.addEventListener("change", function (e) {
    if (e.target.classList.contains("line-text")) renumber();
  });
})();
