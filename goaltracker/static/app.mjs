// Starts GOV.UK Frontend's components once the page has loaded: no inline script is needed.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Copy buttons: shown only where the browser can copy; the result is announced to screen readers.
for (const button of document.querySelectorAll('[data-module="app-copy"]')) {
  const target = document.getElementById(button.dataset.copyTarget);
  const status = button.nextElementSibling;
  if (!target || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.value);
      if (status) status.textContent = button.dataset.copiedText;
    } catch {
      target.select();
      if (status) status.textContent = "Select the link and copy it";
    }
  });
}
