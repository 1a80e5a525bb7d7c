// Conversation organisation: rename in place, keep the sidebar live, tidy the action menus.
// Every menu also works without this file (plain form posts); titles only ever reach the DOM
// through textContent.
"use strict";

(() => {
  const EVENT = "switchboard:conversation";
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function csrfToken() {
    return document.querySelector('meta[name="csrf-token"]')?.content || "";
  }

  function pathOf(url) {
    try {
      return new URL(url, window.location.href).pathname;
    } catch {
      return "";
    }
  }

  // --- the sidebar and the heading follow every new or renamed conversation -----------------

  function sidebarRow(list, id) {
    return Array.from(list.querySelectorAll("[data-conversation-row]"))
      .find((row) => row.dataset.conversationRow === id) || null;
  }

  function newRow(detail) {
    const row = document.createElement("li");
    row.className = "conversation-row";
    row.dataset.conversationRow = detail.id;
    const link = document.createElement("a");
    link.className = "nav-item";
    link.href = detail.url;
    const title = document.createElement("span");
    title.dataset.rowTitle = "";
    link.append(title);
    row.append(link);
    return row;
  }

  function retitle(scope, title) {
    scope.querySelectorAll("[data-row-title]").forEach((el) => { el.textContent = title; });
    scope.querySelectorAll("a.nav-item").forEach((el) => { el.title = title; });
    scope.querySelectorAll("summary.row-menu-toggle").forEach((el) => {
      el.setAttribute("aria-label", `Actions for ${title}`);
    });
    scope.querySelectorAll("form[data-rename] input[name=title]").forEach((input) => {
      if (document.activeElement !== input) input.value = title;
    });
    scope.querySelectorAll(".organise-warning").forEach((el) => {
      el.textContent = `Delete “${title}” and all its messages? This cannot be undone.`;
    });
  }

  // A server-rendered row brings the action menu; the plain row stays if that fails.
  function upgrade(row, detail, current) {
    if (!window.htmx || !UUID.test(detail.id) || !UUID.test(detail.workspace || "")) return;
    const url = `/w/${detail.workspace}/sidebar/conversations/${detail.id}?current=${current}`;
    window.htmx.ajax("GET", url, { target: row, swap: "outerHTML" }).catch(() => {});
  }

  // A chat created in place had no header menu (there was no conversation to act on yet).
  function headerMenu(detail) {
    const heading = document.querySelector("[data-conversation-title]");
    if (!heading || !heading.parentElement || document.querySelector("[data-conversation-actions]")) return;
    if (!window.htmx || !UUID.test(detail.id) || !UUID.test(detail.workspace || "")) return;
    const box = document.createElement("div");
    box.className = "conversation-actions";
    box.dataset.conversationActions = detail.id;
    heading.parentElement.append(box);
    const url = `/w/${detail.workspace}/c/${detail.id}/actions`;
    window.htmx.ajax("GET", url, { target: box, swap: "outerHTML" }).catch(() => {});
  }

  // The server orders by last change, so a rename or a new chat goes first under "Today", after
  // the pins; a pinned row keeps its place. A heading left with no rows goes.
  function groupHeading(title) {
    const item = document.createElement("li");
    item.className = "nav-group";
    const heading = document.createElement("h3");
    heading.className = "nav-group-heading";
    heading.textContent = title;
    item.append(heading);
    return item;
  }

  function placeFirst(list, row) {
    if (row.hasAttribute("data-pinned") && row.parentElement === list) return;
    let today = Array.from(list.querySelectorAll(":scope > li.nav-group"))
      .find((item) => item.textContent.trim() === "Today");
    if (!today) {
      today = groupHeading("Today");
      const pins = list.querySelectorAll(":scope > li[data-pinned]");
      if (pins.length) pins[pins.length - 1].after(today);
      else list.prepend(today);
    }
    today.after(row);
    list.querySelectorAll(":scope > li.nav-group").forEach((item) => {
      const next = item.nextElementSibling;
      if (!next || !next.matches("[data-conversation-row]")) item.remove();
    });
  }

  function isCurrent(detail) {
    const here = window.location.pathname;
    if (here === pathOf(detail.url)) return true;
    // The chat page may announce a conversation it has just created before changing the URL.
    return detail.origin !== "organise" && here === `/w/${detail.workspace}/c/new`;
  }

  function onConversation(event) {
    const detail = event.detail || {};
    if (typeof detail.id !== "string" || typeof detail.title !== "string") return;
    const title = detail.title.trim() || "New chat";
    const current = isCurrent(detail);

    const list = document.getElementById("sidebar-conversations");
    if (list) {
      let row = sidebarRow(list, detail.id);
      const created = !row;
      if (created) row = newRow(detail);
      retitle(row, title);
      list.querySelector(":scope > li.empty")?.remove();
      placeFirst(list, row);
      if (current) {
        list.querySelectorAll("a.nav-item[aria-current]").forEach((a) => a.removeAttribute("aria-current"));
        row.querySelector("a.nav-item")?.setAttribute("aria-current", "page");
      }
      if (created) upgrade(row, detail, current);
    }

    document.querySelectorAll("[data-conversation-actions]").forEach((box) => {
      if (box.dataset.conversationActions === detail.id) retitle(box, title);
    });
    if (current) {
      document.querySelectorAll("[data-conversation-title]").forEach((el) => { el.textContent = title; });
      document.title = `${title} · Switchboard`;
      headerMenu(detail);
    }
  }

  document.addEventListener(EVENT, onConversation);

  // --- rename in place through the JSON API ---------------------------------------------------

  async function rename(form) {
    const input = form.querySelector("input[name=title]");
    const error = form.querySelector("[data-organise-error]");
    const title = input.value.replace(/\s+/g, " ").trim();
    if (!title) return;
    const id = form.dataset.conversation;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(`/api/conversations/${encodeURIComponent(id)}`, {
        method: "PATCH",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ title }),
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || `Could not rename (${response.status}).`);
      }
      const saved = await response.json();
      if (error) error.hidden = true;
      form.closest("details.row-menu, details.header-menu")?.removeAttribute("open");
      form.closest("details[data-step]")?.removeAttribute("open");
      const workspace = form.dataset.workspace;
      document.dispatchEvent(new CustomEvent(EVENT, {
        detail: {
          id: saved.id,
          title: saved.title,
          url: `/w/${workspace}/c/${saved.id}`,
          workspace,
          origin: "organise",
        },
      }));
    } catch (exc) {
      if (error) {
        error.textContent = exc.message;
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form || !form.closest(".organise-actions")) return;
    // Rows fetched by "More" carry no token and no idea which page they sit on: add both.
    const token = form.querySelector("input[name=csrf_token]");
    if (token && !token.value) token.value = csrfToken();
    const next = form.querySelector("input[name=next]");
    if (next && !next.value) next.value = window.location.pathname + window.location.search;
    if (form.matches("[data-rename]") && window.fetch) {
      event.preventDefault();
      rename(form);
    }
  });

  // --- menus: one open at a time, Escape or a click elsewhere closes them -----------------------

  const MENUS = "details[data-row-menu]";

  document.addEventListener("toggle", (event) => {
    const opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.matches(MENUS)) return;
    document.querySelectorAll(`${MENUS}[open]`).forEach((menu) => {
      if (menu !== opened) menu.removeAttribute("open");
    });
  }, true);

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    document.querySelectorAll(`${MENUS}[open]`).forEach((menu) => {
      if (!target || !menu.contains(target)) menu.removeAttribute("open");
    });
  });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const inside = document.activeElement?.closest("details[open]");
    const menu = inside && inside.closest(MENUS) ? inside : document.querySelector(`${MENUS}[open]`);
    if (!menu) return;
    menu.removeAttribute("open");
    menu.querySelector(":scope > summary")?.focus();
  });
})();
