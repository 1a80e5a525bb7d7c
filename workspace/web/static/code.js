// Code blocks in rendered answers: a bar above each block with its language and a "Copy code"
// button. Answers arrive after load too (chat.js swaps a streamed bubble for the server's
// rendering, htmx swaps fragments), so a MutationObserver enhances blocks as they appear and a
// single delegated click handler serves every button. Text only: nothing here parses HTML.
"use strict";
(() => {
  const DONE_MS = 2000;
  const LANGUAGE = /^language-([A-Za-z0-9_+#.-]{1,32})$/;
  let status = null;

  // One polite live region for the whole page: a screen reader hears "Copied" once.
  function announce(message) {
    if (!status) {
      status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    status.textContent = "";
    window.setTimeout(() => { status.textContent = message; }, 50);
  }

  function label(button, text, hidden) {
    const visible = document.createElement("span");
    visible.textContent = text;
    button.replaceChildren(visible);
    if (hidden) {
      const extra = document.createElement("span");
      extra.className = "visually-hidden";
      extra.textContent = hidden;
      button.appendChild(extra);
    }
  }

  function enhance(pre) {
    if (pre.closest(".code-block") || !pre.parentNode) return;
    const code = pre.querySelector("code");
    const wrap = document.createElement("div");
    wrap.className = "code-block";
    const bar = document.createElement("div");
    bar.className = "code-bar";
    const match = code && LANGUAGE.exec(code.className);
    if (match) {
      const lang = document.createElement("span");
      lang.className = "code-lang";
      lang.textContent = match[1];
      bar.appendChild(lang);
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "code-copy";
    label(button, "Copy", " code");
    bar.appendChild(button);
    pre.parentNode.insertBefore(wrap, pre);
    wrap.append(bar, pre);
  }

  function enhanceWithin(node) {
    if (!(node instanceof Element)) return;
    if (node.matches(".markdown pre")) enhance(node);
    node.querySelectorAll(".markdown pre").forEach(enhance);
  }

  // Fallback for pages served over plain http (no navigator.clipboard): select the text and
  // use the legacy copy command.
  function copyBySelection(pre) {
    const range = document.createRange();
    range.selectNodeContents(pre.querySelector("code") || pre);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    const copied = document.execCommand("copy");
    selection.removeAllRanges();
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(button) {
    const pre = button.closest(".code-block").querySelector("pre");
    const code = pre.querySelector("code") || pre;
    const text = code.textContent;
    const write = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text)
      : copyBySelection(pre);
    write.then(
      () => {
        button.dataset.state = "done";
        label(button, "Copied", "");
        announce("Copied to the clipboard");
        window.clearTimeout(Number(button.dataset.timer || 0));
        button.dataset.timer = String(window.setTimeout(() => {
          delete button.dataset.state;
          label(button, "Copy", " code");
        }, DONE_MS));
      },
      () => announce("Could not copy: select the code and copy it by hand"),
    );
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest(".code-copy");
    if (button) copy(button);
  });

  enhanceWithin(document.body);
  new MutationObserver((records) => {
    for (const record of records) record.addedNodes.forEach(enhanceWithin);
  }).observe(document.body, { childList: true, subtree: true });
})();
