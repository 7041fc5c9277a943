// The hand-over form (templates/duty/roster/shift_log.html): the incoming officer list
// shows only the officers of the chosen incoming shift.
(function () {
  document.querySelectorAll("select[data-officers]").forEach(function (shiftSelect) {
    var officers = document.getElementById(shiftSelect.dataset.officers);
    if (!officers) return;
    function show() {
      var shift = shiftSelect.value;
      Array.prototype.forEach.call(officers.options, function (option) {
        if (!option.dataset.shift) return;
        var mine = option.dataset.shift === shift;
        option.hidden = !mine;
        option.disabled = !mine;
        if (!mine && option.selected) officers.value = "";
      });
    }
    shiftSelect.addEventListener("change", show);
    show();
  });
})();
