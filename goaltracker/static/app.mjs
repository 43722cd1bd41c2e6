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

// "Read it to me": the browser's own speech, where it has one; the button stays hidden otherwise.
if ("speechSynthesis" in window) {
  for (const button of document.querySelectorAll('[data-module="app-read-aloud"]')) {
    button.hidden = false;
    button.addEventListener("click", () => {
      window.speechSynthesis.cancel();
      const speech = new SpeechSynthesisUtterance(button.dataset.read);
      speech.lang = document.documentElement.lang || "en-GB";
      speech.rate = 0.9;
      window.speechSynthesis.speak(speech);
    });
  }
}

// The time-out warning (the GOV.UK timeout warning pattern): two minutes before the session
// would end for want of use, a dialog offers to stay signed in. It traps focus while open
// (a native modal dialog), and Escape closes it as "stay signed in".
const body = document.body;
const dialog = document.getElementById("timeout-warning");
const seconds = Number(body.dataset.sessionSeconds || 0);
if (dialog && seconds > 150 && typeof dialog.showModal === "function") {
  const warnAfter = (seconds - 120) * 1000;
  let timer;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      dialog.showModal();
      dialog.querySelector("[data-timeout-stay]").focus();
    }, warnAfter);
  };
  const stay = async () => {
    try {
      await fetch(body.dataset.keepAliveUrl, { credentials: "same-origin", cache: "no-store" });
    } finally {
      if (dialog.open) dialog.close();
      schedule();
    }
  };
  dialog.querySelector("[data-timeout-stay]").addEventListener("click", stay);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    stay();
  });
  schedule();
}
