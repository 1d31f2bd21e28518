/* Field mode (protection/fieldmode.py): forms sent without a connection wait on this device,
   encrypted, and are sent in order when the connection returns.

   A queued record is the form's fields (empty ones left out), encrypted with AES-GCM under the
   signed-in user's key (non-extractable, kept in IndexedDB under the user's id; the user's id
   is the additional data, so a record cannot be moved to another user's queue). Its id is the
   one-time form token it is sent with, so sending it twice saves it once. At sign-out, and when
   another user signs in on this browser, the page deletes the other keys and the kept pages,
   never the records: they wait, unreadable, for their user to sign in again. Records are sent
   in batches (up to 20 records, 60 KB), each answered on its own: saved, refused with the
   server's words, or an offline edit in conflict with a change saved meanwhile (shown to
   choose, never overwritten). The edit forms queue their signed base with their fields. */
(function () {
  "use strict";
  const box = document.getElementById("field-mode");
  if (!box || !window.indexedDB || !window.crypto || !window.crypto.subtle) return;
  const user = box.dataset.user;
  const TOKEN = "submission_token";
  const text = box.dataset;
  const state = box.querySelector(".field-mode-state");
  const refusedList = box.querySelector(".field-mode-refused");
  const encoder = new TextEncoder();
  // A batch stays under the server's bounds (20 records, 64 KB: protection/fieldsync.py).
  const BATCH_RECORDS = 20;
  const BATCH_BYTES = 60 * 1024;
  let syncing = false;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("field-mode", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("keys", { keyPath: "user" });
        request.result.createObjectStore("queue", { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  const db = openDb();

  function store(name, mode, act) {
    return db.then((database) => new Promise((resolve, reject) => {
      const request = act(database.transaction(name, mode).objectStore(name));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
  }
  const all = (name) => store(name, "readonly", (s) => s.getAll());
  const put = (name, value) => store(name, "readwrite", (s) => s.put(value));
  const remove = (name, key) => store(name, "readwrite", (s) => s.delete(key));
  const mine = () => all("queue").then((rows) => rows.filter((r) => r.owner === user).sort((a, b) => a.at - b.at));

  async function queueKey() {
    const kept = (await all("keys")).find((k) => k.user === user);
    if (kept) return kept.key;
    if (!navigator.onLine) return null;
    const response = await fetch(text.keyUrl, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    const answer = await response.json();
    if (String(answer.user) !== user) return null;
    const raw = Uint8Array.from(atob(answer.key), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    await put("keys", { user: user, version: answer.version, key: key });
    return key;
  }

  // Another user's key and pages leave this browser; their records stay, unreadable.
  async function forgetOtherUsers() {
    let changed = false;
    for (const kept of await all("keys")) {
      if (kept.user !== user) { await remove("keys", kept.user); changed = true; }
    }
    if (changed && window.caches) await caches.delete("field-pages");
  }

  async function seal(key, plain) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = encoder.encode(JSON.stringify(plain));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: encoder.encode(user) }, key, data);
    return { iv: iv, sealed: sealed };
  }

  async function open(key, record) {
    const data = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv, additionalData: encoder.encode(user) }, key, record.sealed);
    return JSON.parse(new TextDecoder().decode(data));
  }

  async function enqueue(form, submitter) {
    const key = await queueKey();
    if (!key) return false;
    const fields = [];
    for (const [name, value] of new FormData(form, submitter)) {
      if (typeof value === "string" && value !== "" && name !== TOKEN && name !== "csrfmiddlewaretoken") fields.push([name, value]);
    }
    const heading = document.querySelector("main h1");
    const plain = { kind: form.dataset.fieldForm, action: form.getAttribute("action") || location.pathname, fields: fields, message: "", title: heading ? heading.textContent.trim().replace(/\s+/g, " ") : "" };
    const id = crypto.randomUUID();
    await put("queue", Object.assign({ id: id, owner: user, at: Date.now(), refused: false }, await seal(key, plain)));
    return true;
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A record the server did not save keeps its words (encrypted), for the officer to act on.
  async function refuse(key, item, message, conflict) {
    const plain = Object.assign({}, item.plain, { message: message || text.refusedUnknown, conflict: conflict });
    await put("queue", Object.assign({}, item.record, { refused: true }, await seal(key, plain)));
  }

  // One request for many records (protection/fieldsync.py), answered record by record.
  async function sendBatch(key, batch) {
    const records = batch.map((item) => item.entry);
    const response = await fetch(text.syncUrl, {
      method: "POST", body: JSON.stringify({ records: records }), credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-Field-Sync": user, "X-CSRFToken": csrfToken() },
    });
    if (response.status === 413 && batch.length === 1) {
      await refuse(key, batch[0], (await response.json()).detail, false);
      return true;
    }
    if (!response.ok) return false;  // signed out, another user's queue, a server error: later
    const results = (await response.json()).results || [];
    for (const item of batch) {
      const result = results.find((r) => r.id === item.record.id);
      if (!result) return false;
      if (result.status === "saved") await remove("queue", item.record.id);
      else await refuse(key, item, result.message, result.status === "conflict");
    }
    return true;
  }

  async function sync() {
    if (syncing || !navigator.onLine) return;
    const waiting = (await mine()).filter((r) => !r.refused);
    if (!waiting.length) return;
    const key = await queueKey();
    if (!key) return;
    syncing = true;
    state.textContent = text.sending;
    try {
      let batch = [];
      let bytes = 0;
      for (const record of waiting) {
        const plain = await open(key, record);
        const entry = { id: record.id, action: plain.action, fields: plain.fields };
        const size = encoder.encode(JSON.stringify(entry)).length + 1;
        if (batch.length && (batch.length === BATCH_RECORDS || bytes + size > BATCH_BYTES)) {
          if (!(await sendBatch(key, batch))) return;
          batch = [];
          bytes = 0;
        }
        batch.push({ record: record, plain: plain, entry: entry });
        bytes += size;
      }
      await sendBatch(key, batch);
    } catch (error) {
      // The connection dropped half-way: what was not answered waits, under the same token.
    } finally {
      syncing = false;
      render();
    }
  }

  // A refused record goes back to its form, posted as it was, for the officer to correct.
  async function reopen(record) {
    const key = await queueKey();
    if (!key) return;
    const plain = await open(key, record);
    const form = document.createElement("form");
    form.method = "post";
    form.action = plain.action;
    form.hidden = true;
    const fields = plain.fields.concat([[TOKEN, record.id], ["csrfmiddlewaretoken", csrfToken()]]);
    for (const [name, value] of fields) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    }
    sessionStorage.setItem("field-mode-reopened", record.id);
    document.body.append(form);
    form.submit();
  }

  async function render() {
    if (syncing) return;
    const records = await mine();
    const waiting = records.filter((r) => !r.refused).length;
    const refused = records.filter((r) => r.refused);
    const offline = !navigator.onLine;
    const words = [];
    if (offline) words.push(text.offline);
    if (waiting) words.push(text.waiting.replace("%(count)s", waiting));
    if (refused.length) words.push(text.refused);
    state.textContent = words.join(" ");
    box.hidden = words.length === 0;
    box.classList.toggle("offline", offline);
    refusedList.replaceChildren();
    const key = refused.length ? await queueKey() : null;
    for (const record of refused) {
      const item = document.createElement("li");
      if (key) {
        const plain = await open(key, record);
        const title = document.createElement("strong");
        const created = { household: text.household, incident: text.incident }[plain.kind];
        title.textContent = created || (plain.title ? text.edit + " · " + plain.title : text.edit);
        const message = document.createElement("span");
        message.className = "field-mode-message";
        message.textContent = " " + plain.message + " ";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "link-button";
        button.textContent = plain.conflict ? text.choose : text.reopen;
        button.disabled = offline;
        button.addEventListener("click", () => reopen(record));
        item.append(title, message, button);
      }
      refusedList.append(item);
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-field-signout]")) {
      event.preventDefault();
      await remove("keys", user).catch(() => undefined);
      if (window.caches) await caches.delete("field-pages");
      form.submit();
      return;
    }
    if (!form.matches("[data-field-form]") || navigator.onLine) return;
    event.preventDefault();
    if (await enqueue(form, event.submitter)) {
      form.reset();
      await render();
      state.textContent = text.queued + " " + state.textContent;
    } else {
      state.textContent = text.noKey;
      box.hidden = false;
    }
  });

  window.addEventListener("online", () => { render(); sync(); });
  window.addEventListener("offline", render);

  (async function start() {
    const reopened = sessionStorage.getItem("field-mode-reopened");
    if (reopened) {
      sessionStorage.removeItem("field-mode-reopened");
      await remove("queue", reopened);
    }
    if (navigator.onLine) {
      await forgetOtherUsers();
      await queueKey().catch(() => null);
    }
    if ("serviceWorker" in navigator) {
      // The forms are fetched for this user once a session (or when they are gone), not at
      // every page: the worker also keeps each form the officer opens online.
      const kept = window.caches ? (await (await caches.open("field-pages")).keys()).length : 0;
      const fetchPages = kept === 0 || sessionStorage.getItem("field-mode-pages") !== user;
      navigator.serviceWorker.register(text.swUrl, { scope: "/" }).then(() => navigator.serviceWorker.ready).then((registration) => {
        if (fetchPages && navigator.onLine && registration.active) {
          registration.active.postMessage("keep-pages");
          sessionStorage.setItem("field-mode-pages", user);
        }
      }).catch(() => undefined);
    }
    await render();
    await sync();
  })();
})();
