// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;

  const toggle = target.closest("[data-toggle-sidebar]");
  if (toggle) {
    const sidebar = document.getElementById("sidebar");
    const open = sidebar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
    return;
  }

  const copy = target.closest("[data-copy]");
  if (copy) {
    const input = document.querySelector(copy.getAttribute("data-copy"));
    if (input && navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(() => { copy.textContent = "Copied"; });
    } else if (input) {
      input.select();
    }
  }
});

// Close the workspace switcher with Escape and return focus to it.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const open = document.querySelector("details.switcher[open]");
  if (open) {
    open.removeAttribute("open");
    open.querySelector("summary").focus();
  }
});

// A freshly shown invite link is selected so it can be copied straight away.
document.addEventListener("htmx:afterSettle", () => {
  const link = document.querySelector("[data-invite-link]");
  if (link) link.focus();
});
