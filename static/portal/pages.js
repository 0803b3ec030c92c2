// Behaviour every page shares (exporter pages and the admin), loaded as a file: the CSP allows no inline script.
// - After a failed submit, the error summary (or the admin's error note) takes the focus, so a keyboard or
//   screen-reader user lands on what went wrong rather than at the top of the page.
// - A button or form with data-confirm asks before an act that cannot be undone.
(function () {
  "use strict";

  function focusErrors() {
    const summary = document.querySelector("[data-error-summary], .errornote");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    // The admin autofocuses a form's first field; after a failed submit the errors come first.
    document.querySelectorAll("[autofocus]").forEach((field) => field.removeAttribute("autofocus"));
    summary.focus();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    const message = (button && button.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // The admin's autocomplete boxes (select2) draw a combobox of their own beside the hidden <select>: give it the
  // select's label, so it is named for screen readers (axe: aria-input-field-name).
  function nameAutocompletes() {
    document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const label = select.id && document.querySelector(`label[for="${select.id}"]`);
      const name = label ? label.textContent.replace(/[:*]\s*$/, "").trim() : select.name;
      const box = select.parentElement.querySelector(".select2-selection");
      if (box) box.setAttribute("aria-label", name);
      const rendered = select.parentElement.querySelector(".select2-selection__rendered");
      if (rendered) rendered.setAttribute("aria-label", name);
    });
  }
  window.addEventListener("load", () => {
    nameAutocompletes();
    if (!document.querySelector("select.admin-autocomplete")) return;
    new MutationObserver(nameAutocompletes).observe(document.body, { childList: true, subtree: true });
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusErrors);
  else focusErrors();
  // The admin's change_form.js (loaded async) focuses an add form's first field, maybe after the above: unless the
  // person has already pressed a key or the pointer, the errors take the focus back once everything has loaded.
  let touched = false;
  ["keydown", "pointerdown"].forEach((kind) =>
    document.addEventListener(kind, () => { touched = true; }, { capture: true, once: true }),
  );
  window.addEventListener("load", () => {
    if (!touched || document.activeElement === document.body || document.activeElement === null) focusErrors();
  });
})();
