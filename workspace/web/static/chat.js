// Streams chat and compare answers from the JSON API (POST -> text/event-stream).
// Model text is only ever appended as text nodes; when a message ends, its server-rendered,
// sanitized fragment (markdown) replaces the streamed text. EventSource cannot POST, hence fetch.
"use strict";

(() => {
  const form = document.querySelector("[data-composer]");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const status = form.querySelector("[data-status]");
  const stopButton = form.querySelector("[data-stop]");
  const sendButton = form.querySelector("[data-send]");
  const mode = form.dataset.mode;
  let controller = null;

  const say = (text) => { status.textContent = text; };

  function busy(on) {
    stopButton.hidden = !on;
    sendButton.disabled = on;
  }

  async function* sseEvents(response) {
    // Minimal SSE parser: "event:" and "data:" lines, frames separated by a blank line.
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
        let payload = {};
        try { payload = JSON.parse(data.join("\n") || "{}"); } catch { payload = { text: data.join("\n") }; }
        yield { event, payload };
      }
    }
  }

  async function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      signal: controller.signal,
      headers: {
        "Content-Type": "application/json",
        "Accept": "text/event-stream",
        "X-CSRF-Token": csrf,
        "Idempotency-Key": crypto.randomUUID(),
      },
      body: JSON.stringify(body),
    });
  }

  async function ensureConversation(title) {
    if (form.dataset.conversation) return form.dataset.conversation;
    const response = await fetch(form.dataset.createUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ title: title.slice(0, 80) }),
    });
    if (!response.ok) throw new Error(`could not start a conversation (${response.status})`);
    const created = await response.json();
    form.dataset.conversation = created.id;
    history.replaceState(null, "", `/w/${form.dataset.workspace}/c/${created.id}`);
    return created.id;
  }

  function bubble(container, role, label) {
    container.querySelector("[data-empty]")?.remove();
    const article = document.createElement("article");
    article.className = `message ${role}`;
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
    return { article, body };
  }

  async function rerender(article, conversationId, messageId) {
    // Swap streamed text for the server's sanitized markdown rendering of the stored message.
    const url = form.dataset.messageUrl
      .replace("{conversation}", encodeURIComponent(conversationId))
      .replace("{message}", encodeURIComponent(messageId));
    const response = await fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } });
    if (!response.ok) return;
    const html = await response.text();  // server-rendered and sanitized, never raw model text
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = template.content.firstElementChild;
    if (fresh) article.replaceWith(fresh);
  }

  async function sendChat(content, model) {
    const messages = document.querySelector("[data-messages]");
    const conversationId = await ensureConversation(content);
    bubble(messages, "user", "You").body.textContent = content;
    const answer = bubble(messages, "assistant", model);
    const response = await post(`/api/conversations/${conversationId}/messages`, { content, model });
    if (!response.ok) throw new Error(`the model call was refused (${response.status})`);
    for await (const { event, payload } of sseEvents(response)) {
      if (event === "delta") answer.body.append(document.createTextNode(payload.text || ""));
      else if (event === "context.trimmed") say("Older messages were left out to fit the model.");
      else if (event === "fallback") say("Your key failed; the platform key answered (charged).");
      else if (event === "error") say(payload.detail || "The model returned an error.");
      else if (event === "message.end" && payload.message_id) {
        await rerender(answer.article, conversationId, payload.message_id);
      }
    }
  }

  async function jsonPost(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`refused (${response.status})`);
    return response.json();
  }

  function reveal(byLane, view) {
    for (const info of view.lanes || []) {
      const lane = byLane.get(info.lane);
      if (lane && info.model) lane.querySelector("[data-lane-model]").textContent = info.model;
    }
  }

  async function decide(compareId, conversationId, byLane, winner) {
    // Vote (this reveals a blind comparison), then continue on the chosen lane.
    const view = await jsonPost(`/api/compare/${compareId}/vote`, { winner });
    reveal(byLane, view);
    if (typeof winner === "number") {
      await jsonPost(`/api/compare/${compareId}/continue`, { lane: winner });
      window.location.assign(`/w/${form.dataset.workspace}/c/${conversationId}`);
    } else {
      say(winner === "tie" ? "Recorded: a tie." : "Recorded: both answers were bad.");
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
      lanes.append(lane);
      byLane.set(index, lane);
    });
    const conversationId = await ensureConversation(content);
    const response = await post(`/api/conversations/${conversationId}/compare`, { content, models, blind });
    if (!response.ok) throw new Error(`the comparison was refused (${response.status})`);
    let compareId = null;
    for await (const { event, payload } of sseEvents(response)) {
      if (payload.compare_id) compareId = payload.compare_id;
      const lane = byLane.get(payload.lane);
      if (!lane) continue;
      if (event === "delta") {
        lane.querySelector("[data-lane-body]").append(document.createTextNode(payload.text || ""));
      } else if (event === "error") {
        lane.querySelector("[data-lane-status]").textContent = payload.message || "failed";
        lane.dataset.failed = "true";
      } else if (event === "message.end") {
        if (lane.dataset.failed !== "true") {
          lane.querySelector("[data-lane-status]").textContent = "done";
          lane.querySelector("[data-vote]").disabled = false;
        }
      }
    }
    if (!compareId) return;
    byLane.forEach((lane, index) => {
      lane.querySelector("[data-vote]").addEventListener("click", () =>
        decide(compareId, conversationId, byLane, index).catch((e) => say(`Could not vote: ${e.message}`)));
    });
    verdicts.hidden = false;
    for (const button of verdicts.querySelectorAll("[data-verdict]")) {
      button.onclick = () => decide(compareId, conversationId, byLane, button.dataset.verdict)
        .catch((e) => say(`Could not vote: ${e.message}`));
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const content = form.elements.content.value.trim();
    if (!content) return;
    controller = new AbortController();
    busy(true);
    say(mode === "compare" ? "Comparing…" : "Thinking…");
    try {
      if (mode === "compare") {
        const models = [...form.querySelectorAll('input[name="models"]:checked')].map((i) => i.value);
        if (models.length < 2 || models.length > Number(form.dataset.maxModels)) {
          say(`Pick between 2 and ${form.dataset.maxModels} models.`);
          return;
        }
        await sendCompare(content, models, Boolean(form.elements.blind?.checked));
      } else {
        await sendChat(content, form.elements.model.value);
      }
      form.elements.content.value = "";
      say("");
    } catch (error) {
      say(error.name === "AbortError" ? "Stopped." : `Could not send: ${error.message}`);
    } finally {
      busy(false);
      controller = null;
    }
  });

  // Stopping closes the stream; the server cancels the provider call(s) on disconnect.
  stopButton.addEventListener("click", () => controller?.abort());

  form.elements.content.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
})();
