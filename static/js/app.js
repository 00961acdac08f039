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

// Leaving a page with typed but unsent changes asks first. A form is changed once a field's
// value differs from what the page was loaded with; sending the form is not leaving it.
const changedForms = new Set();
const isChanged = (field) => {
  if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
  if (field.tagName === "SELECT") return [...field.options].some((o) => o.selected !== o.defaultSelected);
  return "defaultValue" in field && field.type !== "file" && field.type !== "hidden"
    && field.value !== field.defaultValue;
};
document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (!form || form.method.toLowerCase() !== "post") return;
  if ([...form.elements].some(isChanged)) changedForms.add(form); else changedForms.delete(form);
});
document.addEventListener("submit", (event) => { changedForms.delete(event.target); });

// "Submit for review" carries every changed stage form along, so what is submitted is what the
// page shows: each field goes as "<key>:<name>", named by a "stage_form" field, and the server
// saves the forms before it submits (workflow/web/pending_edits.py).
document.addEventListener("click", (event) => {
  const button = event.target.closest("#actions-form button[formaction$='/events/submit']");
  if (!button) return;
  const actions = button.form;
  actions.querySelectorAll("[data-carried]").forEach((field) => field.remove());
  const carry = (name, value) => {
    const field = document.createElement("textarea");  // keeps line breaks, as typed
    field.name = name;
    field.value = value;
    field.hidden = true;
    field.dataset.carried = "";
    actions.append(field);
  };
  changedForms.forEach((form) => {
    const key = form.dataset.stageForm;
    if (!key || !document.body.contains(form)) return;
    carry("stage_form", key);
    for (const field of form.elements) {
      if (!field.name || field.disabled || field.name === "csrf_token" || field.type === "file") continue;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) continue;
      if (field.tagName === "BUTTON" || field.type === "submit") continue;
      if (field.tagName === "SELECT") {
        [...field.selectedOptions].forEach((option) => carry(`${key}:${field.name}`, option.value));
      } else {
        carry(`${key}:${field.name}`, field.value);
      }
    }
    changedForms.delete(form);
  });
});
window.addEventListener("beforeunload", (event) => {
  if (changedForms.size === 0) return;
  event.preventDefault();
  event.returnValue = "";  // older Chromium needs it set to show the prompt
});

// An applicant's first time zone is their browser's: reported once, while they have none, so
// the desk's times read in their own zone (they can change it in the settings).
(() => {
  const form = document.getElementById("time-zone-report");
  if (!form || !window.fetch || !window.Intl) return;
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  if (!zone) return;
  form.elements.time_zone.value = zone;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
    .then((response) => { if (response.ok) form.remove(); })
    .catch(() => {});
})();
