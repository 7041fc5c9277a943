// Form behaviour declared in the markup, so that pages need no inline script (CSP):
//   <form data-confirm="Question?">  asks before submitting;
//   <select data-autosubmit>         submits its form when changed.
// Delegated from the document, so content swapped in by htmx behaves the same.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
})();
