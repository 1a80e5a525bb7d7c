// The conversation's settings panel (partials/chat_settings.html): a system prompt and
// parameters saved with the conversation. A new chat keeps them until chat.js creates the
// conversation and calls switchboardSettings.save(id); an existing one saves each change.
// Picking a preset fills the fields and picks its model. Values reach the DOM only as values.
"use strict";

(() => {
  const form = document.querySelector("[data-composer]");
  const panel = form?.querySelector("[data-chat-settings]");
  if (!form || !panel) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const status = panel.querySelector("[data-settings-status]");
  const summary = panel.querySelector("[data-settings-summary]");
  const picker = panel.querySelector("[data-preset-picker]");
  const fields = {
    system_prompt: form.elements.system_prompt,
    temperature: form.elements.temperature,
    top_p: form.elements.top_p,
    max_output_tokens: form.elements.max_output_tokens,
  };

  function number(input) {
    const raw = input.value.trim();
    return raw === "" ? null : Number(raw);
  }

  function values() {
    return {
      system_prompt: fields.system_prompt.value,
      temperature: number(fields.temperature),
      top_p: number(fields.top_p),
      max_output_tokens: number(fields.max_output_tokens),
    };
  }

  function describe(v) {
    const parts = [];
    if (v.system_prompt.trim()) parts.push("system prompt");
    if (v.temperature !== null) parts.push(`temperature ${v.temperature}`);
    if (v.top_p !== null) parts.push(`top_p ${v.top_p}`);
    if (v.max_output_tokens !== null) parts.push(`max ${v.max_output_tokens} tokens`);
    summary.textContent = parts.map((p) => `· ${p}`).join(" ");
  }

  function isDefault(v) {
    return !v.system_prompt.trim() && v.temperature === null && v.top_p === null
      && v.max_output_tokens === null;
  }

  async function put(conversationId, body) {
    const response = await fetch(`/api/conversations/${conversationId}/settings`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      let detail = `The settings were not saved (${response.status}).`;
      try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
      throw new Error(detail);
    }
  }

  async function save(conversationId) {
    const v = values();
    if (!form.dataset.conversation && isDefault(v)) return;
    await put(conversationId, v);
    status.textContent = "Settings saved.";
  }

  function pickModel(ref) {
    if (!ref) return;
    const select = form.elements.model;
    const option = select && [...select.options].find((o) => o.value === ref && !o.disabled);
    if (option) {
      select.value = ref;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      return;
    }
    const box = [...form.querySelectorAll('input[name="models"]')]
      .find((b) => b.value === ref && !b.disabled);
    if (box) box.checked = true;
  }

  function applyPreset(option, withModel) {
    if (!option?.dataset.preset) return;
    const preset = JSON.parse(option.dataset.preset);
    for (const [name, input] of Object.entries(fields)) {
      const value = preset[name];
      input.value = value === null || value === undefined ? "" : String(value);
    }
    if (withModel) pickModel(preset.model);
    describe(values());
  }

  let timer = null;
  function changed() {
    describe(values());
    const conversationId = form.dataset.conversation;
    if (!conversationId) return;
    clearTimeout(timer);
    status.textContent = "Saving…";
    timer = setTimeout(() => {
      save(conversationId).catch((error) => { status.textContent = error.message; });
    }, 400);
  }

  for (const input of Object.values(fields)) input.addEventListener("input", changed);
  picker?.addEventListener("change", () => {
    applyPreset(picker.selectedOptions[0], true);
    changed();
  });
  // A new chat opened from a preset (?preset=): its model too.
  if (picker?.value && !form.dataset.conversation) applyPreset(picker.selectedOptions[0], true);

  window.switchboardSettings = { save };
})();
