// Session-only keys (partials/session_key.html): a key checked with its provider through
// POST /api/keys/check (nothing stored), then kept in this tab's sessionStorage, which the
// browser drops when the tab closes. chat.js asks headersFor(body) for each streamed request
// and sends the key as X-Provider/X-Provider-Key; the server uses it for that request only.
// The key never reaches the DOM: the page shows its fingerprint.
"use strict";

(() => {
  const STORE = "switchboard.sessionKeys";
  const panel = document.querySelector("[data-session-key]");
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE) || "{}"); } catch { return {}; }
  }
  function save(keys) { sessionStorage.setItem(STORE, JSON.stringify(keys)); }

  const providerOf = (model) => String(model || "").split("/")[0];

  window.switchboardSessionKey = {
    // The per-request key headers for a chat ({model}) or compare ({models}) body: the first
    // model whose provider has a session key (the server takes one key per request).
    headersFor(body) {
      const keys = load();
      const models = body?.models || (body?.model ? [body.model] : []);
      const provider = models.map(providerOf).find((p) => keys[p]);
      return provider ? { "X-Provider": provider, "X-Provider-Key": keys[provider].secret } : {};
    },
  };

  const SESSION_PAYS = "key for this session";

  // Models of a provider with a session key can be picked even without a stored key, and say
  // who pays; forgetting the key puts back what the server rendered.
  function unlock(keys) {
    const choices = document.querySelectorAll(
      "[data-composer] select[name=model] option, [data-composer] input[name=models]");
    for (const choice of choices) {
      const provider = providerOf(choice.value);
      if (keys[provider] && choice.disabled) {
        choice.dataset.sessionUnlocked = JSON.stringify({
          text: choice.textContent, paidBy: choice.dataset.paidBy, source: choice.dataset.source,
        });
        choice.disabled = false;
        if (choice.dataset.paidBy) {
          choice.textContent = choice.textContent.replace(choice.dataset.paidBy, SESSION_PAYS);
          choice.dataset.paidBy = SESSION_PAYS;
        }
        choice.dataset.source = "request";
        choice.closest("label")?.classList.remove("disabled");
      } else if (!keys[provider] && choice.dataset.sessionUnlocked) {
        const before = JSON.parse(choice.dataset.sessionUnlocked);
        choice.disabled = true;
        if (choice.tagName === "OPTION") choice.textContent = before.text;
        if (before.paidBy !== undefined) choice.dataset.paidBy = before.paidBy;
        choice.dataset.source = before.source || "";
        delete choice.dataset.sessionUnlocked;
        choice.closest("label")?.classList.add("disabled");
      }
    }
    document.querySelector("[data-composer] select[name=model]")
      ?.dispatchEvent(new Event("change"));  // chat.js: the cost preview follows
  }

  if (!panel) { unlock(load()); return; }
  const form = panel.querySelector("[data-session-key-form]");
  const list = panel.querySelector("[data-session-key-list]");
  const status = panel.querySelector("[data-session-key-status]");
  const summary = panel.querySelector("[data-session-key-summary]");
  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("error", isError);
  };

  function show() {
    const keys = load();
    list.replaceChildren();
    for (const [provider, entry] of Object.entries(keys)) {
      const item = document.createElement("li");
      item.dataset.provider = provider;
      item.append(`${provider}: ${entry.fingerprint} (this tab only) `);
      const forget = document.createElement("button");
      forget.type = "button";
      forget.className = "link-button";
      forget.textContent = "Forget";
      forget.addEventListener("click", () => {
        const current = load();
        delete current[provider];
        save(current);
        say(`The ${provider} key is forgotten.`);
        show();
      });
      item.append(forget);
      list.append(item);
    }
    const count = Object.keys(keys).length;
    summary.textContent = count ? `· ${Object.keys(keys).join(", ")} (this tab only)` : "";
    unlock(keys);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const provider = form.elements.provider.value;
    const secret = form.elements.secret.value.trim();
    if (!secret) return;
    say("Checking the key with the provider…");
    let result;
    try {
      const response = await fetch("/api/keys/check", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ provider, secret }),
      });
      result = await response.json();
      if (!response.ok) { say(result.detail || `refused (${response.status})`, true); return; }
    } catch {
      say("The key could not be checked; try again.", true);
      return;
    }
    if (result.status !== "valid") {
      say(`Not used: ${result.message || result.status}`, true);
      return;
    }
    form.elements.secret.value = "";
    const keys = load();
    keys[provider] = { secret, fingerprint: result.fingerprint };
    save(keys);
    say(`The ${provider} key ${result.fingerprint} works. It is used for your messages in this tab and gone when you close it.`);
    show();
  });

  show();
})();
