// Document slots: drag and drop, XHR upload with a progress bar, slot updated in place.
// Without this script each slot is a plain multipart form that posts and redirects.
(() => {
  "use strict";

  function setMessage(form, text, isError) {
    const message = form.querySelector(".slot-message");
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("error", Boolean(isError));
  }

  function showProgress(form, fraction) {
    const bar = form.querySelector(".progress");
    if (!bar) return;
    bar.hidden = false;
    bar.firstElementChild.style.width = `${Math.round(fraction * 100)}%`;
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  }

  function replaceSlot(slot, html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    slot.replaceWith(fresh);
    bind(fresh);
    return fresh;
  }

  // The texts come from the form's data- attributes, translated by the page; the English here
  // is only for a form rendered without them.
  function text(form, name, fallback, values = {}) {
    const template = form.dataset[name] || fallback;
    return template.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
  }

  function failureText(form, xhr) {
    if (xhr.status === 413) {
      return text(form, "tooLarge", "That file is larger than the server accepts. Choose a smaller file.");
    }
    try {
      return JSON.parse(xhr.responseText).message || text(form, "failed", "The upload failed.");
    } catch (_) {
      return xhr.status
        ? text(form, "failedStatus", "The upload failed (HTTP {status}).", { status: xhr.status })
        : text(form, "noConnection", "The upload failed: no connection.");
    }
  }

  function upload(slot, form, file) {
    const data = new FormData(form);
    data.set("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) showProgress(form, event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        const body = JSON.parse(xhr.responseText);
        const fresh = replaceSlot(slot, body.slot);
        const freshForm = fresh.querySelector(".upload-form");
        if (freshForm) {
          showProgress(freshForm, 1);
          setMessage(freshForm, body.message, false);
        }
      } else {
        slot.classList.remove("uploading");
        setMessage(form, failureText(form, xhr), true);
      }
    });
    xhr.addEventListener("error", () => {
      slot.classList.remove("uploading");
      setMessage(form, failureText(form, xhr), true);
    });
    slot.classList.add("uploading");
    setMessage(form, text(form, "uploading", "Uploading {name}…", { name: file.name }), false);
    showProgress(form, 0);
    xhr.send(data);
  }

  function bind(slot) {
    const form = slot.querySelector(".upload-form");
    if (!form) return;
    const input = form.querySelector("input[type=file]");
    const button = form.querySelector(".upload-button");
    if (button) button.hidden = true; // choosing a file starts the upload
    input.addEventListener("change", () => {
      if (input.files.length) upload(slot, form, input.files[0]);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.files.length) upload(slot, form, input.files[0]);
    });
    slot.addEventListener("dragover", (event) => {
      event.preventDefault();
      slot.classList.add("dragover");
    });
    slot.addEventListener("dragleave", () => slot.classList.remove("dragover"));
    slot.addEventListener("drop", (event) => {
      event.preventDefault();
      slot.classList.remove("dragover");
      const file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) upload(slot, form, file);
    });
  }

  document.querySelectorAll(".doc-slot[data-slot]").forEach(bind);
})();
