// The plan form's line rows: add a row, fill one from a suggested force (templates/dispatch/plan_form.html).
(function () {
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const rows = document.getElementById("line-rows");
  const template = document.getElementById("empty-line").innerHTML;
  function addRow() {
    const index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.replace(/__prefix__/g, index));
    total.value = index + 1;
    return rows.lastElementChild;
  }
  function forceSelects() { return Array.from(rows.querySelectorAll("select.line-force")); }
  function refreshButtons() {
    const chosen = new Set(forceSelects().map((s) => s.value).filter(Boolean));
    document.querySelectorAll(".add-suggestion").forEach((b) => { b.disabled = chosen.has(b.dataset.forceId); });
  }
  document.getElementById("add-line").addEventListener("click", addRow);
  document.querySelectorAll(".add-suggestion").forEach((button) => {
    button.addEventListener("click", () => {
      const id = button.dataset.forceId;
      if (forceSelects().some((s) => s.value === id)) return;
      const empty = forceSelects().find((s) => !s.value);
      const row = empty ? empty.closest("tr") : addRow();
      row.querySelector("select.line-force").value = id;
      const people = row.querySelector("input.line-people");
      if (people && (!people.value || people.value === "0")) people.value = button.dataset.people || "";
      refreshButtons();
    });
  });
  rows.addEventListener("change", refreshButtons);
})();
