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
