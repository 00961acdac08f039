// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (!button) return;
  if (!window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const confirmField = button.form && button.form.querySelector("input[name=confirm]");
  if (confirmField) confirmField.value = "yes";
});

// A second click while the first submit is in flight would only repeat it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.dataset.async) return;
  // After this tick, so the clicked button's name and value still go with the form.
  setTimeout(() => {
    form.querySelectorAll("button[type=submit], button:not([type])").forEach((button) => {
      button.disabled = true;
    });
    form.setAttribute("aria-busy", "true");
  }, 0);
});

// Back/forward cache: a restored page must not keep its buttons disabled.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[aria-busy=true]").forEach((form) => {
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button").forEach((button) => { button.disabled = false; });
  });
});
