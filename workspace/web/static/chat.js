// Chat and compare: streams answers from the JSON API (POST -> text/event-stream).
// Model text is only ever appended as text nodes; when a message ends, its server-rendered,
// sanitized fragment (markdown, notices, actions) replaces the streamed bubble. EventSource
// cannot POST, hence fetch. Every failure is said on the message or the status line and stays.
"use strict";

(() => {
  const form = document.querySelector("[data-composer]");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const status = form.querySelector("[data-status]");
  const stopButton = form.querySelector("[data-stop]");
  const sendButton = form.querySelector("[data-send]");
  const prompt = form.elements.content;
  const mode = form.dataset.mode;
  const workspace = form.dataset.workspace;
  let controller = null;

  // --- small helpers -------------------------------------------------------------------------

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle("error", isError);
  };

  function busy(on) {
    stopButton.hidden = !on;
    sendButton.disabled = on;
    form.classList.toggle("busy", on);
  }

  // Follow the stream while the reader is at the bottom; stop as soon as they scroll up.
  let follow = true;
  const nearBottom = () => {
    const el = document.scrollingElement;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 120;
  };
  window.addEventListener("scroll", () => { follow = nearBottom(); }, { passive: true });
  const keepInView = () => { if (follow) window.scrollTo(0, document.scrollingElement.scrollHeight); };

  async function problemOf(response) {
    // A refusal before the stream is problem+json with a sentence for people.
    try {
      const body = await response.json();
      return body.detail || body.title || `refused (${response.status})`;
    } catch {
      return `refused (${response.status})`;
    }
  }

  // The events a stream sends (workspace/chat/events.py; a unit test keeps the two in step).
  // Others are skipped. A chat answer's figures ("usage") reach the page with the stored
  // message's rendering, which replaces the streamed bubble.
  const EVENTS = new Set([
    "message.start", "context.trimmed", "fallback", "delta", "usage", "error", "message.end",
  ]);

  async function* sseEvents(response) {
    // SSE framing: "event:" and "data:" lines, frames separated by a blank line.
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (!data.length || !EVENTS.has(event)) continue;  // keep-alive comments
        let payload = {};
        try { payload = JSON.parse(data.join("\n")); } catch { payload = { text: data.join("\n") }; }
        yield { event, payload };
      }
    }
  }

  function headers(extra = {}) {
    return { "Content-Type": "application/json", "X-CSRF-Token": csrf, ...extra };
  }

  async function stream(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      signal: controller.signal,
      headers: headers({
        "Accept": "text/event-stream", "Idempotency-Key": crypto.randomUUID(),
        ...window.switchboardSessionKey?.headersFor(body),  // static/session_key.js
      }),
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Refused(await problemOf(response));
    return response;
  }

  class Refused extends Error {}

  async function jsonPost(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers(), body: JSON.stringify(body),
    });
    if (!response.ok) throw new Refused(await problemOf(response));
    return response.json();
  }

  async function refreshCredits() {
    const counter = document.querySelector("[data-credits]");
    if (!counter) return;
    const response = await fetch(`/api/workspaces/${workspace}/credits`, { credentials: "same-origin" });
    if (!response.ok) return;
    const { available } = await response.json();
    counter.textContent = Number(available).toLocaleString("en-US");
  }

  async function createConversation() {
    const body = form.dataset.project ? { project_id: form.dataset.project } : {};
    const created = await jsonPost(form.dataset.createUrl, body);
    form.dataset.conversation = created.id;
    await window.switchboardSettings?.save(created.id);  // static/settings.js: the settings panel
    return created.id;
  }

  function announce(conversationId, title) {
    // The sidebar and the heading follow without a reload (static/organise.js listens).
    const url = `/w/${workspace}/c/${conversationId}`;
    document.dispatchEvent(new CustomEvent("switchboard:conversation", {
      detail: { id: conversationId, title, url, workspace },
    }));
  }

  function messageUrl(conversationId, messageId) {
    return form.dataset.messageUrl
      .replace("{conversation}", encodeURIComponent(conversationId))
      .replace("{message}", encodeURIComponent(messageId));
  }

  async function fragment(conversationId, messageId) {
    // The server's rendering of a stored message: sanitized markdown, never raw model text.
    // A stopped answer gets its final state a moment after the stream closes, hence the retry
    // while it still reads "streaming".
    let fresh = null;
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const response = await fetch(messageUrl(conversationId, messageId), {
        credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      if (!response.ok) return null;
      const template = document.createElement("template");
      template.innerHTML = await response.text();
      fresh = template.content.firstElementChild;
      if (!fresh?.classList.contains("status-streaming")) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return fresh;
  }

  async function rerender(article, conversationId, messageId) {
    const fresh = await fragment(conversationId, messageId);
    if (fresh) article.replaceWith(fresh);
    return fresh || article;
  }

  // Files attached in the composer (static/attach.js), once their uploads have finished.
  async function attachmentIds() {
    const ids = await window.switchboardAttachments?.ready() || [];
    return ids.length ? { attachment_ids: ids } : {};
  }

  // --- chat ----------------------------------------------------------------------------------

  function bubble(role, label) {
    const container = document.querySelector("[data-messages]");
    container.querySelector("[data-empty]")?.remove();
    const article = document.createElement("article");
    article.className = `message ${role}`;
    article.dataset.role = role;
    const meta = document.createElement("header");
    meta.className = "message-meta";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = label;
    meta.append(who);
    const body = document.createElement("div");
    body.className = "message-body streaming";
    article.append(meta, body);
    container.append(article);
    return { article, body, meta };
  }

  function ignoredNotice(article, names) {
    // The conversation's parameters this provider does not take (the stored message says it too).
    if (!names?.length) return;
    const list = names.map((n) => n.replace("_", " ")).join(" and ");
    notice(article, "settings", `Not sent: this provider takes no ${list}; the model used its own defaults.`);
  }

  function notice(article, kind, text) {
    let p = article.querySelector(`[data-notice="${kind}"]`);
    if (!p) {
      p = document.createElement("p");
      p.className = `notice ${kind}`;
      p.dataset.notice = kind;
      article.append(p);
    }
    p.textContent = text;
  }

  function dropAfter(article) {
    // Messages below belong to the branch being replaced.
    while (article.nextElementSibling) article.nextElementSibling.remove();
  }

  async function answer(response, conversationId, user, reply) {
    // One lane: forward deltas, say failures on the answer itself, then show the stored message.
    let messageId = null;
    let userId = null;
    let failed = false;
    let platform = false;  // only platform answers spend credits (also when stopped)
    try {
      for await (const { event, payload } of sseEvents(response)) {
        if (event === "message.start") {
          messageId = payload.message_id;
          userId = payload.parent_id;
          if (payload.title) announce(conversationId, payload.title);
          platform = payload.key_source === "platform";
          ignoredNotice(reply.article, payload.ignored_parameters);
        } else if (event === "delta") {
          reply.body.append(document.createTextNode(payload.text || ""));
          keepInView();
        } else if (event === "context.trimmed") {
          notice(reply.article, "trimmed", `${payload.turns_dropped} older turn(s) were left out to fit the model's context window.`);
        } else if (event === "fallback") {
          platform = true;
          notice(reply.article, "fallback", payload.reason === "no_own_key"
            ? "No own key for this provider: the platform key answered, charged in credits."
            : "Your key failed; the platform key answered, charged in credits.");
        } else if (event === "error") {
          failed = true;
          notice(reply.article, "error", `This answer failed: ${payload.message || payload.code}`);
        }
      }
    } finally {
      if (messageId) {
        form.dataset.leaf = messageId;
        const url = `/w/${workspace}/c/${conversationId}`;
        if (location.pathname + location.search !== url) history.replaceState(null, "", url);
        // The stored message carries the notice, the stats and the actions (also after Stop).
        const rendered = await rerender(reply.article, conversationId, messageId);
        if (user && userId) await rerender(user.article, conversationId, userId);
        rendered.scrollIntoView({ block: "nearest" });
        if (platform) refreshCredits();
      }
    }
    return !failed;
  }

  async function sendChat(content, model, parentId, replaceFrom) {
    const conversationId = form.dataset.conversation || await createConversation();
    if (replaceFrom) { dropAfter(replaceFrom); replaceFrom.remove(); }
    const user = bubble("user", "You");
    user.body.textContent = content;
    const reply = bubble("assistant", model);
    follow = true;
    keepInView();
    const body = { content, model, ...await attachmentIds() };
    if (parentId !== undefined) body.parent_id = parentId;
    // An edit keeps the edited message's attachments (the server copies them over).
    if (replaceFrom?.dataset.messageId) body.edit_of = replaceFrom.dataset.messageId;
    let response;
    try {
      response = await stream(`/api/conversations/${conversationId}/messages`, body);
    } catch (error) {
      // Refused before anything was saved: take the bubbles back, keep the prompt (and files).
      user.article.remove();
      reply.article.remove();
      throw error;
    }
    prompt.value = "";
    window.switchboardAttachments?.clear();
    updatePreview();
    return answer(response, conversationId, user, reply);
  }

  async function regenerate(article, model) {
    const conversationId = form.dataset.conversation;
    dropAfter(article);
    const reply = bubble("assistant", model);
    article.replaceWith(reply.article);
    follow = true;
    const response = await stream(
      `/api/conversations/${conversationId}/messages/${article.dataset.messageId}/regenerate`, { model });
    return answer(response, conversationId, null, reply);
  }

  function usableModels() {
    return [...(form.elements.model?.options || [])].filter((o) => !o.disabled);
  }

  function fillRegenMenu(details) {
    const menu = details.querySelector("[data-regen-menu]");
    if (menu.childElementCount) return;
    const article = details.closest("article");
    const current = article.dataset.model;
    const models = usableModels();
    models.sort((a, b) => (b.value === current) - (a.value === current));
    for (const option of models) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "menu-item";
      button.dataset.regenerate = option.value;
      button.textContent = option.value === current ? `Same model (${option.textContent.split(" · ")[0]})` : option.textContent;
      menu.append(button);
    }
  }

  function startEdit(article) {
    if (article.querySelector("[data-edit-form]")) return;
    const raw = article.querySelector("template[data-raw]")?.content.textContent || "";
    const box = document.createElement("div");
    box.className = "edit-box";
    box.dataset.editForm = "";
    const area = document.createElement("textarea");
    area.value = raw;
    area.rows = Math.min(12, raw.split("\n").length + 1);
    area.setAttribute("aria-label", "Edit your message");
    const save = document.createElement("button");
    save.type = "button";
    save.className = "button primary small";
    save.textContent = "Save and send";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button small";
    cancel.textContent = "Cancel";
    const row = document.createElement("div");
    row.className = "button-row";
    row.append(save, cancel);
    box.append(area, row);
    article.querySelector("[data-body]").hidden = true;
    article.append(box);
    area.focus();
    const close = () => { box.remove(); article.querySelector("[data-body]").hidden = false; };
    cancel.addEventListener("click", close);
    area.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
      else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); save.click(); }
    });
    save.addEventListener("click", () => {
      const content = area.value.trim();
      if (!content) return;
      // A new branch: the edited message's parent (null = a new first message) gets a sibling.
      const parentId = article.dataset.parentId || null;
      run(() => sendChat(content, form.elements.model.value, parentId, article));
    });
  }

  // --- compare -------------------------------------------------------------------------------

  function reveal(byLane, view, conversationId) {
    // After the vote the server shows names and figures (price and speed tell models apart).
    for (const info of view.lanes || []) {
      const lane = byLane.get(info.lane);
      if (!lane || !info.model) continue;
      lane.querySelector("[data-lane-model]").textContent = info.model;
      if (view.blind && lane.dataset.messageId) showStats(lane, conversationId, lane.dataset.messageId);
    }
  }

  async function sendCompare(content, models, blind) {
    const lanes = document.querySelector("[data-lanes]");
    const template = document.querySelector("[data-lane-template]");
    const verdicts = document.querySelector("[data-verdicts]");
    lanes.replaceChildren();
    verdicts.hidden = true;
    const byLane = new Map();
    models.forEach((model, index) => {
      const lane = template.content.firstElementChild.cloneNode(true);
      lane.querySelector("[data-lane-model]").textContent = blind ? `Model ${"ABCDEFGH"[index]}` : model;
      lane.dataset.lane = String(index);
      lane.dataset.model = model;
      lanes.append(lane);
      byLane.set(index, lane);
    });
    // Every comparison is a conversation of its own; picking a lane continues it as a chat.
    const conversationId = await createConversation();
    const body = { content, models, blind, ...await attachmentIds() };
    const response = await stream(`/api/conversations/${conversationId}/compare`, body);
    prompt.value = "";
    window.switchboardAttachments?.clear();
    let compareId = null;
    let charged = 0;
    for await (const { event, payload } of sseEvents(response)) {
      if (payload.compare_id) compareId = payload.compare_id;
      if (event === "message.start" && payload.title && payload.lane === 0) announce(conversationId, payload.title);
      const lane = byLane.get(payload.lane);
      if (!lane) continue;
      const laneStatus = lane.querySelector("[data-lane-status]");
      if (event === "message.start") {
        lane.dataset.messageId = payload.message_id;
        ignoredNotice(lane, payload.ignored_parameters);
      } else if (event === "delta") {
        lane.querySelector("[data-lane-body]").append(document.createTextNode(payload.text || ""));
      } else if (event === "error") {
        laneStatus.textContent = "failed";
        notice(lane, "error", `This answer failed: ${payload.message || payload.code}`);
        lane.dataset.failed = "true";
      } else if (event === "message.end") {
        charged += payload.credits || 0;
        if (lane.dataset.failed !== "true") {
          laneStatus.textContent = "done";
          lane.querySelector("[data-vote]").disabled = false;
        }
        showLane(lane, conversationId, payload.message_id);
      }
    }
    if (charged) refreshCredits();
    if (compareId) armVerdicts(compareId, conversationId, byLane, verdicts);
  }

  async function showLane(lane, conversationId, messageId) {
    // Swap the streamed text for the stored answer's sanitized rendering and its stats.
    const fresh = await fragment(conversationId, messageId);
    if (!fresh) return;
    lane.querySelector("[data-lane-body]").replaceWith(fresh.querySelector("[data-body]"));
    fillStats(lane, fresh);
  }

  function fillStats(lane, fresh) {
    const stats = fresh.querySelector("[data-stats]");
    if (stats) lane.querySelector("[data-lane-stats]").replaceChildren(...stats.childNodes);
  }

  async function showStats(lane, conversationId, messageId) {
    const fresh = await fragment(conversationId, messageId);
    if (fresh) fillStats(lane, fresh);
  }

  function armVerdicts(compareId, conversationId, byLane, verdicts) {
    let voted = false;
    const vote = async (winner) => {
      // One verdict per comparison: after a tie, picking a lane only continues on it.
      if (!voted) reveal(byLane, await jsonPost(`/api/compare/${compareId}/vote`, { winner }), conversationId);
      voted = true;
    };
    byLane.forEach((lane, index) => {
      lane.querySelector("[data-vote]").addEventListener("click", () => {
        (async () => {
          await vote(index);
          await jsonPost(`/api/compare/${compareId}/continue`, { lane: index });
          window.location.assign(`/w/${workspace}/c/${conversationId}`);
        })().catch((e) => say(`Could not continue: ${e.message}`, true));
      });
    });
    verdicts.hidden = false;
    for (const button of verdicts.querySelectorAll("[data-verdict]")) {
      button.disabled = false;
      button.onclick = () => vote(button.dataset.verdict).then(() => {
        for (const b of verdicts.querySelectorAll("[data-verdict]")) b.disabled = true;
        say(button.dataset.verdict === "tie"
          ? "Recorded: a tie. Pick an answer to continue with it, or send a new prompt."
          : "Recorded: both answers were bad. Pick one to continue anyway, or send a new prompt.");
      }).catch((e) => say(`Could not vote: ${e.message}`, true));
    }
  }

  // --- cost preview --------------------------------------------------------------------------

  function estimate(input, priceIn, priceOut, source) {
    const micros = priceIn * input + priceOut * Number(form.dataset.answerTokens || 0);
    if (source === "platform") {
      const credits = Math.ceil(micros / 1000);
      return `≈ ${credits.toLocaleString("en-US")} credit${credits === 1 ? "" : "s"}`;
    }
    const usd = micros / 1e6;
    if (usd < 0.0001) return "≈ < $0.0001";
    return `≈ $${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
  }

  function updatePreview() {
    const typed = Math.ceil((prompt.value || "").length / 4);
    const input = Number(form.dataset.contextTokens || 0) + typed;
    if (mode === "compare") {
      for (const box of form.querySelectorAll("input[name=models][data-price-in]")) {
        const out = box.closest("label").querySelector("[data-estimate]");
        if (out) out.textContent = estimate(input, Number(box.dataset.priceIn), Number(box.dataset.priceOut), box.dataset.source);
      }
      return;
    }
    const preview = form.querySelector("[data-cost-preview]");
    const option = form.elements.model?.selectedOptions[0];
    if (!preview || !option) return;
    preview.textContent = option.dataset.priceIn === undefined
      ? `Next turn: price unknown · ${option.dataset.paidBy}`
      : `Next turn ${estimate(input, Number(option.dataset.priceIn), Number(option.dataset.priceOut), option.dataset.source)} · ${option.dataset.paidBy}`;
  }

  // --- wiring --------------------------------------------------------------------------------

  async function run(action) {
    if (controller) return;
    controller = new AbortController();
    busy(true);
    say(mode === "compare" ? "Comparing…" : "Thinking…");
    try {
      const ok = await action();
      say(ok === false ? "The model returned an error: see the answer." : "", ok === false);
    } catch (error) {
      if (error.name === "AbortError") say("Stopped.");
      else say(`Could not send: ${error.message}`, true);
    } finally {
      busy(false);
      controller = null;
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const content = prompt.value.trim();
    if (!content) return;
    if (mode === "compare") {
      const models = [...form.querySelectorAll('input[name="models"]:checked')].map((i) => i.value);
      if (models.length < 2 || models.length > Number(form.dataset.maxModels)) {
        say(`Pick between 2 and ${form.dataset.maxModels} models.`, true);
        return;
      }
      run(() => sendCompare(content, models, Boolean(form.elements.blind?.checked)));
    } else {
      // Continue the branch on screen, never whichever branch the server last moved to.
      const parent = form.dataset.leaf;
      run(() => sendChat(content, form.elements.model.value, parent || undefined));
    }
  });

  // Stopping closes the stream; the server cancels the provider call(s) and keeps the partial answer.
  stopButton.addEventListener("click", () => controller?.abort());

  prompt.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && controller) controller.abort();
  });
  prompt.addEventListener("input", updatePreview);
  form.elements.model?.addEventListener("change", updatePreview);
  updatePreview();

  // Picking a provider picks the member's default model for it, else its first usable one;
  // picking a model shows its provider.
  const providerPick = form.querySelector("[data-provider-pick]");
  const modelSelect = form.elements.model;
  const showProvider = () => {
    const group = modelSelect?.selectedOptions[0]?.parentElement;
    if (providerPick && group?.dataset.provider) providerPick.value = group.dataset.provider;
  };
  providerPick?.addEventListener("change", () => {
    if (!providerPick.value || !modelSelect) return;
    const defaults = JSON.parse(providerPick.dataset.defaults || "{}");
    const options = [...modelSelect.options].filter(
      (o) => !o.disabled && o.parentElement?.dataset.provider === providerPick.value);
    const chosen = options.find((o) => o.value === defaults[providerPick.value]) || options[0];
    if (!chosen) return;
    modelSelect.value = chosen.value;
    modelSelect.dispatchEvent(new Event("change"));
  });
  modelSelect?.addEventListener("change", showProvider);
  showProvider();

  document.addEventListener("toggle", (event) => {
    if (event.target.matches?.("details.regen") && event.target.open) fillRegenMenu(event.target);
  }, true);

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const article = target?.closest("article.message");
    if (!article) return;
    if (target.closest("[data-copy-message]")) {
      const button = target.closest("[data-copy-message]");
      const raw = article.querySelector("template[data-raw]")?.content.textContent || "";
      navigator.clipboard?.writeText(raw).then(() => {
        button.textContent = "Copied";
        setTimeout(() => { button.textContent = "Copy"; }, 1500);
      });
    } else if (target.closest("[data-edit]")) {
      startEdit(article);
    } else if (target.closest("[data-regenerate]")) {
      const model = target.closest("[data-regenerate]").dataset.regenerate;
      target.closest("details").open = false;
      run(() => regenerate(article, model));
    }
  });
})();
