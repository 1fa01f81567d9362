// The door list without page loads, and without a network.
//
// Online, a tap posts its form with fetch and swaps in the list the server answers with (the
// same POST-redirect-GET page); the counters and rows refresh every 15 seconds so two phones
// agree. The page also keeps the event's door list (names, workplace, check-in state and a
// salted key per check-in code; never membership, diets or needs) in memory and in
// localStorage, so that when the network drops, taps, name search and codes keep working against
// it: each tap is queued in localStorage and sent to the sync endpoint when the network returns;
// the server's answer (done / already checked in by another device / refused) is shown, and the
// list and counters are taken from the server again. "Scan with the camera" reads QR codes with
// the browser's BarcodeDetector or, where there is none, the vendored jsQR; a decoded code goes
// the way a typed one does. Without JavaScript the forms work as they are.
(function () {
  "use strict";
  const door = document.getElementById("door");
  const configNode = document.getElementById("door-js");
  if (!door || !configNode || !window.fetch || !("content" in document.createElement("template"))) return;
  const config = JSON.parse(configNode.textContent);
  const text = config.text;
  const lang = document.documentElement.lang || "sv";

  // --- Small helpers ------------------------------------------------------------------------

  function format(template, ...values) {
    let index = 0;
    return template.replace(/%s/g, () => String(values[index++]));
  }

  // "07.42" in Swedish, "07:42" in English, in Stockholm time as the server writes it.
  const clockFormat = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Stockholm", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function clock(iso) {
    const value = clockFormat.format(new Date(iso));
    return lang.startsWith("sv") ? value.replace(":", ".") : value;
  }

  function folded(value) {
    return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function normaliseCode(value) {
    return value.toUpperCase().replace(/[^0-9A-Z]/g, "").slice(0, 32);
  }

  function uuidString(bytes) {
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    return uuidString(bytes);
  }

  // The id the server gave a check-in POSTed from this page (door.py's _client_id: uuid5 of the
  // page's id and the person). A POST whose answer the network lost is queued under the same id,
  // so the server knows it as the same tap and does not call it "another device".
  async function postedId(form, id) {
    const field = form.querySelector("input[name=client_id]");
    const hex = field ? field.value.replace(/-/g, "") : "";
    if (!/^[0-9a-f]{32}$/i.test(hex) || !window.crypto || !crypto.subtle) return newId();
    const name = new TextEncoder().encode(String(id));
    const data = new Uint8Array(16 + name.length);
    data.set(Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16)));
    data.set(name, 16);
    const bytes = new Uint8Array(await crypto.subtle.digest("SHA-1", data)).slice(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    return uuidString(bytes);
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- What this device holds: the list and the queue, per signed-in person and event ----------

  const PREFIX = "frukost.door.";
  const mine = `${PREFIX}${config.user}.`;
  const listKey = `${mine}${config.event}.list`;
  const queueKey = `${mine}${config.event}.queue`;
  const MAX_AGE = 24 * 60 * 60 * 1000; // a list older than a day is not used

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key)); } catch (error) { return null; }
  }
  function write(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* full or private mode: memory only */ }
  }
  function forget(startsWith) {
    try {
      Object.keys(localStorage).filter((key) => key.startsWith(startsWith)).forEach((key) => localStorage.removeItem(key));
    } catch (error) { /* storage unavailable */ }
  }

  // Another person signed in on this phone before: their copy of a door list is not ours to keep.
  try {
    Object.keys(localStorage)
      .filter((key) => key.startsWith(PREFIX) && !key.startsWith(mine) && key.endsWith(".list"))
      .forEach((key) => localStorage.removeItem(key));
  } catch (error) { /* storage unavailable */ }

  const people = new Map(); // registration id -> person as door_data gives it
  let salt = null;
  let queue = read(queueKey) || [];

  function hold(list) {
    people.clear();
    list.people.forEach((person) => people.set(person.id, person));
    salt = list.salt;
  }

  const stored = read(listKey);
  if (stored && Date.now() - stored.savedAt < MAX_AGE) hold(stored.list);

  function loadList() {
    return fetch(config.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (response.ok && !response.redirected) return response.json();
        // Signed out, or no longer given this event: the copy on this phone goes too.
        if (response.redirected || response.status === 403 || response.status === 404) forget(listKey);
        return null;
      })
      .then((list) => {
        if (!list) return;
        // Taps still queued are not in the server's list yet: keep them on top of it.
        hold(list);
        queue.forEach(applyToPerson);
        write(listKey, { savedAt: Date.now(), list });
      })
      .catch(() => {});
  }

  // Signing out takes the list off the phone; unsynced taps are not thrown away silently.
  const signOut = document.querySelector(`form[action="${config.logoutUrl}"]`);
  if (signOut) {
    signOut.addEventListener("submit", (event) => {
      if (queue.length && !window.confirm(text.signOutQueued)) {
        event.preventDefault();
        return;
      }
      forget(mine);
    });
  }

  // --- Status line and the big result, outside #door so a swap keeps them ----------------------

  const status = document.createElement("div");
  status.className = "bo-door-sync";
  status.setAttribute("role", "status");
  status.hidden = true;
  const result = document.createElement("p");
  result.className = "bo-door-result";
  result.setAttribute("aria-live", "assertive");
  result.hidden = true;
  door.parentNode.insertBefore(status, door);
  door.parentNode.insertBefore(result, door);

  function showResult(message, kind) {
    result.textContent = message;
    result.className = `bo-door-result bo-door-result--${kind}`;
    result.hidden = false;
  }

  function showStatus(headline, details) {
    status.replaceChildren();
    const line = document.createElement("p");
    line.className = "bo-door-sync__line";
    line.textContent = headline;
    status.appendChild(line);
    if (details && details.length) {
      const list = document.createElement("ul");
      details.forEach((detail) => {
        const item = document.createElement("li");
        item.textContent = detail;
        list.appendChild(item);
      });
      status.appendChild(list);
    }
    status.hidden = false;
  }

  let offline = false;

  function showQueue() {
    if (!offline && !queue.length) return;
    if (!queue.length) {
      showStatus(text.offline);
      return;
    }
    showStatus(format(queue.length === 1 ? text.waitingOne : text.waitingMany, queue.length));
  }

  function goOffline() {
    if (!offline) {
      offline = true;
      document.body.classList.add("bo-door--offline");
      renderAllRows();
    }
    showQueue();
  }

  // --- The list (online: swapped in from the server's HTML) -----------------------------------

  // An inert template, not DOMParser: a parsed document would inherit this page's CSP and
  // complain about the answer's <style> elements, whose nonce is another page's.
  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function swap(html, focusId) {
    const doc = parse(html);
    const fresh = doc.getElementById("door");
    if (!fresh) return null;
    const oldMessages = document.querySelector(".bo-messages");
    const newMessages = doc.querySelector(".bo-messages");
    if (oldMessages) oldMessages.remove();
    door.innerHTML = fresh.innerHTML;
    if (newMessages) door.parentNode.insertBefore(newMessages, status);
    filter();
    const target = focusId && document.getElementById(focusId);
    if (target) {
      const control = target.matches("input") ? target : target.querySelector("button");
      if (control) control.focus({ preventScroll: false });
    }
    return newMessages;
  }

  // Filter as one types: "asa" finds "Åsa", as the server's search does (queries.folded).
  function filter() {
    const field = document.getElementById("id_q");
    if (!field) return;
    const words = folded(field.value).split(/\s+/).filter(Boolean);
    door.querySelectorAll("tr[data-name]").forEach((row) => {
      const name = row.getAttribute("data-name");
      row.hidden = !words.every((word) => name.indexOf(word) !== -1);
    });
  }

  // What the server's answer says about one person, so the held list stays right while online.
  function learnFromRow(id) {
    const person = people.get(id);
    const row = document.getElementById(`p${id}`);
    if (!person || !row) return;
    const checkedIn = row.classList.contains("bo-door--in");
    if (!checkedIn) {
      person.checked_in_at = null;
      person.book_handed_at = null;
      return;
    }
    person.checked_in_at = person.checked_in_at || new Date().toISOString();
    const booked = !!row.querySelector('form[action$="/unbook/"]');
    person.book_handed_at = booked ? person.book_handed_at || new Date().toISOString() : null;
  }

  function learnFromRows() {
    door.querySelectorAll(".bo-door-rows tr[id]").forEach((row) => learnFromRow(Number(row.id.slice(1))));
  }

  // --- The list (offline: drawn from what the device holds) -----------------------------------

  function actionUrl(id, action) {
    return config.actionUrl.replace("/0/checkin/", `/${id}/${action}/`);
  }

  function button(id, action, label, modifier, arrivedAt) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = actionUrl(id, action);
    form.className = "bo-door-form";
    if (arrivedAt) {
      // An undo says which arrival it takes back: one made since on another phone stands.
      const arrived = document.createElement("input");
      arrived.type = "hidden";
      arrived.name = "arrived";
      arrived.value = arrivedAt;
      form.appendChild(arrived);
    }
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = `button${modifier ? ` ${modifier}` : ""}`;
    submit.textContent = label;
    form.appendChild(submit);
    return form;
  }

  function paragraph(className, content) {
    const node = document.createElement("p");
    node.className = className;
    node.textContent = content;
    return node;
  }

  function fillActions(cell, person) {
    cell.replaceChildren();
    if (person.checked_in_at) {
      cell.appendChild(paragraph("bo-door-done", format(text.checkedInAt, clock(person.checked_in_at))));
      if (person.book_handed_at) {
        cell.appendChild(paragraph("bo-door-done", text.bookDone));
        cell.appendChild(button(person.id, "unbook", text.unbook, "button--secondary"));
      } else {
        cell.appendChild(button(person.id, "book", text.book));
      }
      cell.appendChild(button(person.id, "undo", text.undo, "button--secondary", person.checked_in_at));
    } else if (person.status === "registered" && person.confirmed) {
      cell.appendChild(button(person.id, "checkin", text.checkIn, "bo-door-button--big"));
    } else if (person.status === "registered") {
      cell.appendChild(paragraph("bo-muted", text.notConfirmed));
    }
  }

  function renderRow(person) {
    const row = document.getElementById(`p${person.id}`);
    if (!row) return;
    row.classList.toggle("bo-door--in", !!person.checked_in_at);
    fillActions(row.querySelector(".bo-door-actions"), person);
  }

  // A page opened with a search shows only its matches: offline, everyone held is drawn, so the
  // name search works against the whole list.
  function renderAllRows() {
    const body = door.querySelector(".bo-door-rows");
    if (!body || !people.size) return;
    const template = body.querySelector("tr");
    if (body.querySelectorAll("tr").length === people.size || !template) {
      people.forEach(renderRow);
      return;
    }
    const labels = Array.from(template.children, (cell) => cell.getAttribute("data-label"));
    body.replaceChildren();
    people.forEach((person) => {
      const row = document.createElement("tr");
      row.id = `p${person.id}`;
      row.setAttribute("data-name", person.search);
      const name = document.createElement("td");
      const last = document.createElement("strong");
      last.textContent = person.last_name;
      name.append(last, `, ${person.first_name}`);
      if (person.walk_in) {
        const walkIn = document.createElement("span");
        walkIn.className = "bo-status bo-status--walk-in";
        walkIn.textContent = text.walkIn;
        name.append(" ", walkIn);
      }
      const state = document.createElement("td");
      const badge = document.createElement("span");
      badge.className = `bo-status bo-status--${person.status}`;
      badge.textContent = person.status === "registered" ? text.seat : text.waitingList;
      state.appendChild(badge);
      const workplace = document.createElement("td");
      workplace.textContent = person.workplace || "–";
      const colleague = document.createElement("td");
      colleague.textContent = person.colleague_of || "–";
      const actions = document.createElement("td");
      actions.className = "bo-door-actions";
      [name, state, workplace, colleague].forEach((cell, index) => {
        if (labels[index]) cell.setAttribute("data-label", labels[index]);
      });
      row.append(name, state, workplace, colleague, actions);
      body.appendChild(row);
      renderRow(person);
    });
    filter();
  }

  function count(name, change) {
    const node = door.querySelector(`[data-count="${name}"]`);
    if (node) node.textContent = String(Math.max(0, Number(node.textContent) + change));
  }

  // A tap's effect on the held list; returns false when it changes nothing (no need to queue).
  function applyToPerson(operation) {
    const person = people.get(operation.registration);
    if (!person) return false;
    if (operation.op === "checkin") {
      if (person.checked_in_at || person.status !== "registered" || !person.confirmed) return false;
      person.checked_in_at = operation.at;
    } else if (operation.op === "undo") {
      if (!person.checked_in_at) return false;
      person.checked_in_at = null;
      person.book_handed_at = null;
    } else if (operation.op === "book") {
      if (!person.checked_in_at || person.book_handed_at) return false;
      person.book_handed_at = operation.at;
    } else if (operation.op === "unbook") {
      if (!person.book_handed_at) return false;
      person.book_handed_at = null;
    }
    return true;
  }

  function tapOffline(id, op, clientId) {
    const person = people.get(id);
    if (!person) return;
    const before = { in: !!person.checked_in_at, book: !!person.book_handed_at };
    const operation = { op, registration: id, client_id: clientId || newId(), at: new Date().toISOString() };
    if (op === "checkin" && person.checked_in_at) {
      showResult(format(text.already, `${person.first_name} ${person.last_name}`, clock(person.checked_in_at)), "warning");
      return;
    }
    if (op === "checkin" && (person.status !== "registered" || !person.confirmed)) {
      showResult(format(text.noSeat, `${person.first_name} ${person.last_name}`), "error");
      return;
    }
    if (!applyToPerson(operation)) return;
    queue.push(operation);
    write(queueKey, queue);
    count("arrived", (person.checked_in_at ? 1 : 0) - (before.in ? 1 : 0));
    count("books", (person.book_handed_at ? 1 : 0) - (before.book ? 1 : 0));
    renderRow(person);
    if (op === "checkin") showResult(format(text.checkedIn, `${person.first_name} ${person.last_name}`), "success");
    showQueue();
  }

  async function codeKey(code) {
    const bytes = new TextEncoder().encode(`${salt}:${code}`);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("").slice(0, 8);
  }

  async function codeOffline(typed, postedForm) {
    const field = document.getElementById("id_code");
    if (field) { field.value = ""; field.focus(); }
    const code = normaliseCode(typed);
    if (!salt || !window.crypto || !crypto.subtle) {
      showResult(text.noCodesOffline, "error");
      return;
    }
    const key = code.length === 8 ? await codeKey(code) : null;
    const person = key && Array.from(people.values()).find((candidate) => candidate.key === key);
    if (!person) {
      showResult(format(text.unknownCode, typed.trim().slice(0, 20)), "error");
      return;
    }
    tapOffline(person.id, "checkin", postedForm && (await postedId(postedForm, person.id)));
  }

  // --- Sync ------------------------------------------------------------------------------------

  let syncing = false;

  class SignedOut extends Error {}

  async function post(operations) {
    const response = await fetch(config.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ operations }),
    });
    const contentType = response.headers.get("Content-Type") || "";
    if (response.redirected || response.status === 403) throw new SignedOut();
    if (!contentType.startsWith("application/json")) throw new Error(String(response.status));
    return { status: response.status, answer: await response.json() };
  }

  // Send the queue; answer each tap. A batch the server refuses whole (400: someone erased since,
  // say) is sent again tap by tap, so that one bad tap does not hold back the others.
  async function sync() {
    if (syncing || !queue.length) return;
    syncing = true;
    showStatus(text.syncing);
    const batch = queue.slice();
    const notes = [];
    try {
      let { status: code, answer } = await post(batch);
      let results = code === 400 ? [] : answer.results;
      if (code === 400) {
        for (const operation of batch) {
          ({ status: code, answer } = await post([operation]));
          if (code === 400) notes.push(answer.error);
          else results = results.concat(answer.results);
        }
      }
      const sent = new Set(batch.map((operation) => operation.client_id));
      queue = queue.filter((operation) => !sent.has(operation.client_id));
      write(queueKey, queue);
      offline = false;
      document.body.classList.remove("bo-door--offline");
      results.filter((item) => item.status !== "done").forEach((item) => notes.push(item.message));
      showStatus(notes.length ? text.conflicts : text.synced, notes);
      if (!notes.length) window.setTimeout(() => { if (!offline && !queue.length) status.hidden = true; }, 10000);
      await Promise.all([loadList(), refresh(true)]);
    } catch (error) {
      if (error instanceof SignedOut) {
        showStatus(format(text.signInAgain, queue.length));
      } else {
        goOffline();
      }
    } finally {
      syncing = false;
    }
  }

  // The network is back and nothing waits: the server's list again.
  function backOnline() {
    offline = false;
    document.body.classList.remove("bo-door--offline");
    status.hidden = true;
    return refresh(true).catch(goOffline);
  }

  window.addEventListener("online", () => { if (queue.length) sync(); else backOnline(); });
  window.addEventListener("offline", goOffline);

  // --- Taps ------------------------------------------------------------------------------------

  door.addEventListener("input", (event) => {
    if (event.target.id === "id_q") filter();
  });

  door.addEventListener("submit", (event) => {
    const form = event.target;
    const isPost = form.method.toLowerCase() === "post";
    const codeField = form.querySelector("input[name=code]");
    const tap = isPost && !codeField && form.action.match(/\/(\d+)\/(checkin|undo|book|unbook)\/$/);
    if (!isPost) {
      if (offline || !navigator.onLine) { event.preventDefault(); filter(); } // search the held list
      return;
    }
    event.preventDefault();
    if ((offline || !navigator.onLine || queue.length) && people.size) {
      goOffline();
      if (codeField) codeOffline(codeField.value);
      else if (tap) tapOffline(Number(tap[1]), tap[2]);
      if (navigator.onLine) sync();
      return;
    }
    const submit = form.querySelector("button");
    if (submit) submit.disabled = true;
    const row = form.closest("tr");
    const focusId = row ? row.id : stream ? null : "id_code"; // scanning: keep the picture in view
    const body = new FormData(form);
    if (!body.get("csrfmiddlewaretoken")) body.set("csrfmiddlewaretoken", csrfToken());
    fetch(form.action, { method: "POST", body, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then((html) => {
        const messages = swap(html, focusId);
        if (messages === null) { form.submit(); return; }
        learnFromRows();
        if (codeField && messages && stream) {
          // A scanned code gets its answer large, once, above the camera's picture.
          const failed = messages.querySelector(".alert");
          showResult(messages.textContent.trim(), failed ? "error" : "success");
          messages.remove();
          result.scrollIntoView({ block: "nearest" });
        }
      })
      .catch((error) => {
        if (error instanceof TypeError && people.size) {
          // The network is gone: this tap is kept on the phone and synced later.
          goOffline();
          if (submit) submit.disabled = false;
          if (codeField) codeOffline(codeField.value, form);
          else if (tap && tap[2] === "checkin") postedId(form, Number(tap[1])).then((id) => tapOffline(Number(tap[1]), "checkin", id));
          else if (tap) tapOffline(Number(tap[1]), tap[2]);
          return;
        }
        form.submit(); // let the browser show what went wrong
      });
  });

  // --- Refreshing from the server ---------------------------------------------------------------

  function refresh(force) {
    if (!force && document.visibilityState !== "visible") return Promise.resolve();
    const active = document.activeElement;
    if (!force && active && active.matches("input") && active.value) return Promise.resolve(); // someone is typing
    return fetch(window.location.href, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => {
        if (!html) return;
        const doc = parse(html);
        ["bo-door-counts", "bo-door-rows"].forEach((name) => {
          const here = door.querySelector(`.${name}`);
          const there = doc.querySelector(`#door .${name}`);
          if (here && there) here.innerHTML = there.innerHTML;
        });
        filter();
        learnFromRows();
      });
  }

  let ticks = 0;
  window.setInterval(() => {
    if (!navigator.onLine) { goOffline(); return; }
    if (queue.length) { sync(); return; }
    if (offline) { backOnline(); return; }
    ticks += 1;
    refresh(false).catch(goOffline);
    if (ticks % 4 === 0) loadList();
  }, 15000);

  // --- The camera -------------------------------------------------------------------------------

  const codeForm = door.querySelector(".bo-door-code");
  const canFilm = navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  const scanner = document.createElement("div");
  scanner.className = "bo-door-scan";
  door.parentNode.insertBefore(scanner, status);
  door.parentNode.insertBefore(result, scanner); // the answer to a scan above the camera's picture
  let stream = null;
  let lastCode = "";
  let lastAt = 0;

  const start = document.createElement("button");
  start.type = "button";
  start.className = "button bo-door-button--big bo-door-scan__start";
  start.textContent = text.scan;
  start.hidden = !canFilm || !codeForm;
  const panel = document.createElement("div");
  panel.className = "bo-door-scan__panel";
  panel.hidden = true;
  const video = document.createElement("video");
  video.setAttribute("playsinline", "");
  video.muted = true;
  const hint = paragraph("bo-muted", text.aim);
  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "button button--secondary bo-door-button--big";
  stop.textContent = text.stopScan;
  panel.append(video, hint, stop);
  scanner.append(start, panel);

  function loadDecoder() {
    if (window.jsQR) return Promise.resolve(window.jsQR);
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = config.decoderUrl;
      script.onload = () => resolve(window.jsQR);
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  async function makeDetector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          return async () => {
            const codes = await detector.detect(video);
            return codes.length ? codes[0].rawValue : null;
          };
        }
      } catch (error) { /* fall back to jsQR */ }
    }
    const jsQR = await loadDecoder();
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async () => {
      if (!video.videoWidth) return null;
      const scale = Math.min(1, 640 / video.videoWidth);
      canvas.width = Math.round(video.videoWidth * scale);
      canvas.height = Math.round(video.videoHeight * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found ? found.data : null;
    };
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    panel.hidden = true;
    start.hidden = false;
    document.body.classList.remove("bo-door--scanning");
  }

  function scanned(value) {
    const code = normaliseCode(value);
    const now = Date.now();
    if (!code || (code === lastCode && now - lastAt < 4000)) return; // the same code still in view
    lastCode = code;
    lastAt = now;
    const form = door.querySelector(".bo-door-code");
    const field = form && form.querySelector("input[name=code]");
    if (!field) return;
    field.value = value;
    form.requestSubmit();
  }

  start.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch (error) {
      const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      showResult(denied ? text.cameraDenied : text.noCamera, "error");
      return;
    }
    video.srcObject = stream;
    panel.hidden = false;
    start.hidden = true;
    document.body.classList.add("bo-door--scanning");
    result.hidden = true;
    scanner.scrollIntoView({ block: "start" });
    try { await video.play(); } catch (error) { /* autoplay of a muted video is allowed */ }
    let detect;
    try {
      detect = await makeDetector();
    } catch (error) {
      stopCamera();
      showResult(text.noCamera, "error");
      return;
    }
    const loop = async () => {
      if (!stream) return;
      try {
        const value = await detect();
        if (value) scanned(value);
      } catch (error) { /* a frame that could not be read */ }
      window.setTimeout(loop, 150);
    };
    loop();
  });
  stop.addEventListener("click", stopCamera);

  // --- Start -----------------------------------------------------------------------------------

  if (queue.length) {
    queue.forEach(applyToPerson);
    showQueue();
  }
  if (navigator.onLine) {
    loadList().then(() => { if (queue.length) sync(); });
  } else {
    goOffline();
  }
})();
