// Attaching files in the composer: the button, a drop on the composer, or a pasted image each
// upload the file at once (POST /api/workspaces/{ws}/attachments) and show it as a chip;
// chat.js asks `window.switchboardAttachments.ready()` for the ids when it sends. The server
// decides what a file is; here we only say what it answered. Models that cannot read images are
// marked in the picker ("no images"); with an image attached, picking one is warned about.
"use strict";

(() => {
  const form = document.querySelector("[data-composer]");
  if (!form) return;
  const input = form.querySelector("[data-attach-input]");
  const button = form.querySelector("[data-attach]");
  const list = form.querySelector("[data-attached]");
  const status = form.querySelector("[data-status]");
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const url = `/api/workspaces/${form.dataset.workspace}/attachments`;
  const attached = [];  // { id, kind, li } once uploaded
  const pending = new Set();

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("error", isError);
  };

  function chip(file) {
    const li = document.createElement("li");
    li.className = "pending";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = file.name || "pasted image";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "×";
    remove.setAttribute("aria-label", `Remove ${name.textContent}`);
    remove.addEventListener("click", () => drop(li));
    li.append(name, remove);
    list.append(li);
    list.hidden = false;
    return li;
  }

  function drop(li) {
    const index = attached.findIndex((a) => a.li === li);
    if (index >= 0) attached.splice(index, 1);
    li.remove();
    list.hidden = list.children.length === 0;
    warnVision();
  }

  async function uploadOne(file) {
    const li = chip(file);
    const body = new FormData();
    body.append("file", file, file.name || "pasted-image.png");
    const upload = fetch(url, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }, body,
    }).then(async (response) => {
      const payload = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(payload.detail || `the upload failed (${response.status})`);
      return payload;
    });
    pending.add(upload);
    try {
      const payload = await upload;
      if (!li.isConnected) return;  // removed while uploading
      li.classList.remove("pending");
      li.dataset.attachmentId = payload.id;
      if (payload.kind === "image") {
        // The stored upload itself (the CSP allows images from this origin, not blob: URLs).
        const img = document.createElement("img");
        img.alt = "";
        img.src = `/api/attachments/${payload.id}?inline=1`;
        li.prepend(img);
      }
      attached.push({ id: payload.id, kind: payload.kind, li });
      warnVision();
    } catch (error) {
      li.remove();
      list.hidden = list.children.length === 0;
      say(`Could not attach ${file.name || "the image"}: ${error.message}`, true);
    } finally {
      pending.delete(upload);
    }
  }

  function addFiles(files) {
    for (const file of files) uploadOne(file);
  }

  function hasImages() {
    return attached.some((a) => a.kind === "image");
  }

  function warnVision() {
    const option = form.elements.model?.selectedOptions?.[0];
    if (hasImages() && option?.dataset.vision === "0") {
      say(`${option.textContent.split(" · ")[0]} cannot read images: pick a model that reads images, or remove the image.`, true);
    } else if (status.classList.contains("error") && status.textContent.includes("cannot read images")) {
      say("");
    }
  }

  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    addFiles([...input.files]);
    input.value = "";
  });
  const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  form.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    form.classList.add("dropping");
  });
  form.addEventListener("dragleave", (event) => {
    if (!form.contains(event.relatedTarget)) form.classList.remove("dropping");
  });
  form.addEventListener("drop", (event) => {
    form.classList.remove("dropping");
    const files = [...(event.dataTransfer?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    addFiles(files);
  });
  form.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return;  // plain text pastes as usual
    event.preventDefault();
    addFiles(files);
  });
  form.elements.model?.addEventListener("change", warnVision);

  window.switchboardAttachments = {
    // The ids to send, once every upload still running has finished.
    async ready() {
      await Promise.allSettled([...pending]);
      return attached.map((a) => a.id);
    },
    // After a send: the files went with the message.
    clear() {
      for (const a of attached.splice(0)) a.li.remove();
      list.hidden = list.children.length === 0;
    },
  };
})();
