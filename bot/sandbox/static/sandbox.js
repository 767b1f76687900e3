// The sandbox page: draws what the server renders and sends what a person does, as Slack's client.
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  // `?team=T…` (where "Open Slack" leads after an install): that workspace, as its first person
  const team = params.get("team") || "";
  const ui = {
    me: team ? "" : (params.get("as") || localStorage.getItem("cg.as") || ""),
    conv: params.get("conv") || "home",
    pane: null, modalKey: null, busy: 0,
    devlogKey: null, openEntries: new Set(),  // drawer entries the person opened, by id
  };
  const $ = (id) => document.getElementById(id);

  async function post(path, body) {
    ui.busy++;
    try {
      const response = await fetch(path, {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(Object.assign({as: ui.me}, body)),
      });
      const data = await response.json().catch(() => ({}));
      showError(data.ok === false ? (data.error || "That didn't work.") : "");
      return data;
    } finally {
      ui.busy--;
      setTimeout(refresh, 60);
      setTimeout(refresh, 400);
    }
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
  }

  function choose(me, conv) {
    if (me !== undefined && me !== ui.me) {
      ui.me = me; ui.conv = "home"; localStorage.setItem("cg.as", me);
      ui.openEntries.clear(); ui.devlogKey = null; $("devlog").innerHTML = "";  // nothing of the last person's
    }
    if (conv !== undefined) ui.conv = conv;
    ui.modalKey = null;
    history.replaceState(null, "", `?as=${encodeURIComponent(ui.me)}&conv=${encodeURIComponent(ui.conv)}`);
    if (ui.conv === "home") post("/sandbox/home", {});
    refresh();
  }

  function drawPeople(state) {
    const nav = $("personas");
    nav.innerHTML = "";
    for (const person of state.people) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sb-persona" + (person.id === state.me ? " sb-active" : "");
      button.textContent = person.real_name || person.name;
      button.dataset.persona = person.name;
      button.addEventListener("click", () => choose(person.id));
      nav.appendChild(button);
    }
    const me = state.people.find((p) => p.id === state.me);
    $("me").textContent = me ? `You are ${me.real_name || me.name}` : "";
  }

  // The workspaces of the sandbox, as Slack's workspace switcher: each opens as its first person.
  function drawWorkspaces(state) {
    const nav = $("workspaces");
    nav.innerHTML = "";
    for (const ws of state.workspaces || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sb-workspace" + (ws.team_id === state.workspace ? " sb-active" : "");
      button.textContent = ws.name + (ws.installed ? "" : " (not installed)");
      button.title = ws.team_id;
      button.dataset.team = ws.team_id;
      if (ws.first) button.addEventListener("click", () => { if (ws.team_id !== state.workspace) choose(ws.first); });
      nav.appendChild(button);
    }
  }

  function drawConversations(state) {
    const list = $("conversations");
    list.innerHTML = "";
    const items = [{id: "home", label: "Common Ground — Home", kind: "home"}].concat(state.conversations);
    for (const conv of items) {
      const li = document.createElement("li");
      li.className = "sb-conv sb-conv-" + conv.kind + (conv.id === state.conv ? " sb-active" : "");
      li.textContent = conv.label;
      li.dataset.conv = conv.id;
      li.tabIndex = 0;
      li.addEventListener("click", () => choose(undefined, conv.id));
      list.appendChild(li);
    }
  }

  // The sandbox clock: its time, each person's own, the next timer; the buttons move it.
  function drawClock(clock) {
    if (!clock) return;
    $("clock-now").textContent = clock.text;
    $("clock-ahead").textContent = clock.ahead;
    const list = $("clock-people");
    list.innerHTML = "";
    for (const person of clock.people) {
      const li = document.createElement("li");
      const who = document.createElement("span");
      who.className = "sb-clock-who";
      who.textContent = `${person.name} · ${person.place}`;
      const local = document.createElement("span");
      local.className = "sb-clock-local";
      local.textContent = person.local;
      li.append(who, local);
      list.appendChild(li);
    }
    $("clock-next").textContent = clock.next_timer ? "Next timer: " + clock.next_timer.text : "No timer is waiting.";
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-advance]");
    if (!button) return;
    event.preventDefault();
    const ask = button.dataset.advance === "next"
      ? {to_next_timer: true} : {advance_seconds: Number(button.dataset.advance)};
    for (const b of document.querySelectorAll("[data-advance]")) b.disabled = true;
    try {
      const data = await post("/sandbox/clock", ask);
      if (data.ok) { $("clock-result").textContent = data.message; drawClock(data.clock); }
    } finally {
      for (const b of document.querySelectorAll("[data-advance]")) b.disabled = false;
    }
  });

  function drawModal(state) {
    const backdrop = $("backdrop");
    if (!state.modal) { backdrop.hidden = true; backdrop.innerHTML = ""; ui.modalKey = null; return; }
    if (state.modal_key === ui.modalKey) return;  // keep what the person is typing
    ui.modalKey = state.modal_key;
    backdrop.innerHTML = state.modal;
    backdrop.hidden = false;
    const first = backdrop.querySelector("textarea, input, select");
    if (first) first.focus();
  }

  function drawDevlog(state) {
    const key = state.me + "\n" + JSON.stringify(state.devlog);
    if (key === ui.devlogKey) return;  // unchanged: leave it as the person has it
    ui.devlogKey = key;
    const list = $("devlog");
    list.innerHTML = "";
    for (const entry of state.devlog.slice().reverse()) {
      const li = document.createElement("li");
      li.className = (entry.ok ? "dev-call-ok" : "dev-call-rejected") + " dev-" + entry.kind;
      li.dataset.entryId = entry.id;
      const details = document.createElement("details");
      details.open = ui.openEntries.has(entry.id);  // an opened entry stays open as the log refreshes
      details.addEventListener("toggle", () => {
        if (details.open) ui.openEntries.add(entry.id); else ui.openEntries.delete(entry.id);
      });
      const summary = document.createElement("summary");
      summary.textContent = entry.title;
      const pre = document.createElement("pre");
      pre.textContent = entry.detail + (entry.response ? "\n\n← " + entry.response : "");
      details.append(summary, pre);
      li.appendChild(details);
      list.appendChild(li);
    }
  }

  async function refresh() {
    const drawerOpen = !$("drawer").hidden;  // the log is asked for (and sent) only while it is open
    const query = (ui.me ? `as=${encodeURIComponent(ui.me)}` : `team=${encodeURIComponent(team)}`) +
      `&conv=${encodeURIComponent(ui.conv)}` +
      (drawerOpen ? "&drawer=1" : "");
    const response = await fetch("/sandbox/state?" + query);
    if (!response.ok) { if (ui.conv !== "home") { choose(undefined, "home"); } return; }
    const state = await response.json();
    if (!ui.me) {
      ui.me = state.me; localStorage.setItem("cg.as", ui.me);
      history.replaceState(null, "", `?as=${encodeURIComponent(ui.me)}&conv=${encodeURIComponent(ui.conv)}`);
    }
    if (state.me !== ui.me || state.conv !== ui.conv) return;  // asked before a switch: stale
    drawWorkspaces(state);
    drawPeople(state);
    drawConversations(state);
    $("title").textContent = state.title;
    if (state.pane !== ui.pane) {
      ui.pane = state.pane;
      const pane = $("pane");
      pane.innerHTML = state.pane || '<p class="sb-empty">Nothing here yet.</p>';
      pane.scrollTop = pane.scrollHeight;
    }
    drawModal(state);
    drawClock(state.clock);
    if (drawerOpen && state.devlog && !$("drawer").hidden) drawDevlog(state);
  }

  // --- what a person does -------------------------------------------------------------------------

  function where(el) {
    const view = el.closest("[data-view-id]");
    if (view) return {view_id: view.dataset.viewId};
    const message = el.closest("[data-ts]");
    return {channel: ui.conv, ts: message ? message.dataset.ts : ""};
  }

  function actionOf(el) {
    return {action_id: el.dataset.actionId, block_id: el.dataset.blockId || null};
  }

  // A button with a Block Kit `confirm` asks first, as Slack does; only "ok" sends the click.
  function confirmed(el) {
    const title = el.dataset.confirmTitle;
    if (!title) return Promise.resolve(true);
    const dialog = $("confirm");
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = el.dataset.confirmText || "";
    $("confirm-ok").textContent = el.dataset.confirmOk || "Yes";
    $("confirm-deny").textContent = el.dataset.confirmDeny || "Cancel";
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), {once: true});
      dialog.showModal();
    });
  }

  document.addEventListener("click", async (event) => {
    const el = event.target.closest("[data-action='click']");
    if (!el) return;
    event.preventDefault();
    const body = Object.assign(where(el), actionOf(el), {value: el.dataset.value || null});
    if (!(await confirmed(el))) return;
    post("/sandbox/click", body);
  });

  document.addEventListener("change", (event) => {
    const el = event.target;
    if (!el.dataset || !el.dataset.actionId) return;
    const inModal = el.closest(".bk-modal");
    const dispatch = el.closest("[data-dispatch='true']");
    if (inModal && !dispatch) return;  // plain inputs in modals are sent with the submission
    const body = Object.assign(where(el), actionOf(el));
    const type = el.dataset.type;
    if (type === "users_select") body.selected_user = el.value;
    else if (type === "datepicker") body.selected_date = el.value;
    else if (type === "overflow" || type === "static_select" || type === "radio_buttons") body.selected_option = el.value;
    else if (type === "checkboxes") body.selected_options = [...el.closest(".bk-checkboxes").querySelectorAll("input:checked")].map((c) => c.value);
    else if (type === "multi_users_select") body.selected_users = [...el.selectedOptions].map((o) => o.value);
    else if (type === "multi_static_select") body.selected_options = [...el.selectedOptions].map((o) => o.value);
    else body.value = el.value;
    post("/sandbox/click", body);
  });

  function modalValues(modal) {
    const values = {};
    const put = (name, value) => {
      const [block, action] = name.split("/");
      values[block] = values[block] || {};
      values[block][action] = value;
    };
    for (const el of modal.querySelectorAll("[name]")) {
      const type = el.dataset.type || (el.closest("[data-type]") || {dataset: {}}).dataset.type;
      if (el.type === "radio") { if (el.checked) put(el.name, el.value); else if (!(el.name.split("/")[0] in values)) put(el.name, null); continue; }
      if (el.type === "checkbox") {
        const current = ((values[el.name.split("/")[0]] || {})[el.name.split("/")[1]]) || [];
        put(el.name, el.checked ? current.concat([el.value]) : current);
        continue;
      }
      if (el.multiple) { put(el.name, [...el.selectedOptions].map((o) => o.value)); continue; }
      put(el.name, el.value === "" ? null : el.value);
      void type;
    }
    return values;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id === "composer") {
      event.preventDefault();
      const input = $("composer-input");
      const text = input.value;
      input.value = "";
      post("/sandbox/command", {text: text, conv: ui.conv});
      return;
    }
    if (form.id === "add-workspace") {
      // A new Slack workspace, then the app's real install flow in this tab: the app's install page,
      // Slack's consent page, the app's redirect; "Open Slack" there comes back here, in it.
      event.preventDefault();
      const name = form.elements.name.value;
      post("/sandbox/workspaces", {name: name}).then((data) => {
        if (data.ok) { form.reset(); location.href = data.install; }
      });
      return;
    }
    if (form.id === "add-person") {
      event.preventDefault();
      const name = form.elements.name.value;
      form.reset();
      post("/sandbox/people", {name: name});
      return;
    }
    const modal = form.closest(".bk-modal");
    if (modal) {
      event.preventDefault();
      post("/sandbox/submit", {view_id: modal.dataset.viewId, values: modalValues(modal)});
    }
  });

  document.addEventListener("click", (event) => {
    const shortcut = event.target.closest("[data-shortcut]");
    if (!shortcut) return;
    event.preventDefault();
    const body = {callback_id: shortcut.dataset.shortcut};
    if (shortcut.dataset.ts) { body.ts = shortcut.dataset.ts; body.channel = ui.conv; }
    post("/sandbox/shortcut", body);
  });

  document.addEventListener("click", (event) => {
    const close = event.target.closest("[data-modal-close]");
    if (!close) return;
    event.preventDefault();
    const modal = close.closest(".bk-modal");
    post("/sandbox/close", {view_id: modal.dataset.viewId});
  });

  $("drawer-toggle").addEventListener("click", () => {
    $("drawer").hidden = !$("drawer").hidden;
    if ($("drawer").hidden) { $("devlog").innerHTML = ""; ui.devlogKey = null; }
    refresh();
  });

  refresh().then(() => { if (ui.conv === "home" && ui.me) post("/sandbox/home", {}); });
  setInterval(() => { if (!ui.busy) refresh(); }, 700);
})();
