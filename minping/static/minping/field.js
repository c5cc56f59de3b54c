// The grid worker's field page: works offline. The worker's households and the categories are kept in
// IndexedDB; visits and problem reports go into a queue there, each with an id made on the phone, and are sent
// when the connection returns. The server finds a record sent twice, so a retry never stores it twice.
(function () {
  "use strict";
  var main = document.getElementById("field");
  if (!main) return;
  var t = function (key, values) {
    var text = main.dataset["t" + key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  };
  var data = null;
  var sending = false;

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function db() {
    return new Promise(function (resolve, reject) {
      var open = indexedDB.open("minping-field", 1);
      open.onupgradeneeded = function () {
        open.result.createObjectStore("data");
        open.result.createObjectStore("queue", { keyPath: "id" });
      };
      open.onsuccess = function () { resolve(open.result); };
      open.onerror = function () { reject(open.error); };
    });
  }
  function store(name, mode, work) {
    return db().then(function (handle) {
      return new Promise(function (resolve, reject) {
        var tx = handle.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  var queued = function () { return store("queue", "readonly", function (s) { return s.getAll(); }); };

  function say(text, kind) {
    var li = document.createElement("li");
    li.textContent = text;
    if (kind) li.className = kind;
    document.getElementById("field-messages").prepend(li);
  }

  function showStatus() {
    document.getElementById("field-status").textContent = navigator.onLine ? t("Online") : t("Offline");
    return queued().then(function (items) {
      document.getElementById("field-queue").textContent = items.length ? t("Waiting", { n: items.length }) : t("Sent");
    });
  }

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }

  // Redrawn after every visit (the household list starts again at the next one due): what the worker has chosen
  // elsewhere, a problem's category above all, stays chosen.
  function keepChoices(selects, draw) {
    var chosen = selects.map(function (select) { return select.value; });
    selects.forEach(function (select) { select.textContent = ""; });
    draw();
    selects.forEach(function (select, i) {
      if (Array.prototype.some.call(select.options, function (o) { return o.value === chosen[i]; })) select.value = chosen[i];
    });
  }

  function render() {
    var visit = document.getElementById("visit-form"), problem = document.getElementById("problem-form");
    visit.elements.household.textContent = "";
    keepChoices([visit.elements.kind, problem.elements.region, problem.elements.category], function () { draw(visit, problem); });
    visit.elements.visited_on.value = visit.elements.visited_on.value || data.today;
    visit.elements.visited_on.max = data.today;
    visit.hidden = problem.hidden = false;
  }

  // Households and legal persons or sites, visited alike: one list, the longest unvisited first. A record's key
  // names which it is ("h12", "s3").
  function records() {
    var households = data.households.map(function (h) {
      return { key: "h" + h.id, field: "household", item: h, label: h.code };
    });
    var sites = (data.sites || []).map(function (s) {
      return { key: "s" + s.id, field: "site", item: s, label: s.name };
    });
    return households.concat(sites).sort(function (a, b) { return (a.item.last || "").localeCompare(b.item.last || ""); });
  }

  function draw(visit, problem) {
    var due = document.getElementById("field-due");
    due.textContent = "";
    records().forEach(function (r) {
      option(visit.elements.household, r.key, r.label + " " + r.item.address);
      var li = document.createElement("li");
      li.dataset.record = r.key;
      li.textContent = r.label + " " + r.item.address + " · " + (r.item.last ? t("Last") + " " + r.item.last : t("Never"));
      var button = document.createElement("button");
      button.type = "button"; button.className = "link"; button.textContent = t("Visit");
      button.addEventListener("click", function () {
        visit.elements.household.value = r.key;
        visit.scrollIntoView();
      });
      li.appendChild(document.createTextNode(" ")); li.appendChild(button);
      due.appendChild(li);
    });
    data.kinds.forEach(function (k) { option(visit.elements.kind, k.id, k.name); });
    data.grids.forEach(function (g) { option(problem.elements.region, g.id, g.name); });
    data.categories.forEach(function (c) { option(problem.elements.category, c.id, c.name); });
  }

  function load() {
    return fetch(main.dataset.data, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (fresh) { data = fresh; return store("data", "readwrite", function (s) { s.put(fresh, "data"); }); })
      .catch(function () {
        return store("data", "readonly", function (s) { return s.get("data"); }).then(function (kept) { data = kept; });
      })
      .then(function () { if (data) render(); });
  }

  function send(item) {
    var request;
    if (item.type === "visit") {
      request = { method: "POST", body: JSON.stringify(item.body), headers: { "Content-Type": "application/json" } };
    } else {
      var form = new FormData();
      Object.keys(item.body).forEach(function (k) { form.append(k, item.body[k]); });
      (item.photos || []).forEach(function (p) { form.append("photos", p.blob, p.name); });
      request = { method: "POST", body: form, headers: {} };
    }
    request.credentials = "same-origin";
    request.headers["X-CSRFToken"] = main.dataset.csrf;
    return fetch(item.type === "visit" ? main.dataset.visit : main.dataset.problem, request).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    });
  }

  function sync() {
    if (sending || !navigator.onLine) return showStatus();
    sending = true;
    return queued().then(function (items) {
      items.sort(function (a, b) { return a.made - b.made; });
      var chain = Promise.resolve();
      items.forEach(function (item) {
        chain = chain.then(function () {
          return send(item).then(function (answer) {
            if (answer.status >= 500) throw new Error("server");
            if (answer.status >= 400) say(t("Refused", { message: answer.body.message || answer.status }), "error");
            if (answer.body.conflict) {
              var c = answer.body.conflict;
              say(t("Conflict", { code: item.label, current: c.current, proposed: c.proposed }), "warning");
            }
            return store("queue", "readwrite", function (s) { s.delete(item.id); });
          });
        });
      });
      return chain;
    }).catch(function () { /* offline or the server is down: the queue stays for the next try */ })
      .then(function () { sending = false; return showStatus(); });
  }

  function enqueue(item) {
    item.made = Date.now();
    return store("queue", "readwrite", function (s) { s.put(item); }).then(function () {
      say(t("Saved"));
      return sync();
    });
  }

  document.getElementById("visit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target, id = newId();
    var record = records().filter(function (r) { return r.key === f.elements.household.value; })[0];
    var address = f.elements.address.value.trim();
    var body = { id: id, visited_on: f.elements.visited_on.value, kind: f.elements.kind.value,
      notes: f.elements.notes.value, address: address || null, address_seen: address ? record.item.address : null };
    body[record.field] = record.item.id;
    enqueue({ id: id, type: "visit", label: record.label, body: body });
    record.item.last = f.elements.visited_on.value;
    if (address) record.item.address = address;
    f.elements.notes.value = f.elements.address.value = "";
    store("data", "readwrite", function (s) { s.put(data, "data"); }).then(render);
  });

  document.getElementById("problem-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = event.target, id = newId();
    var photos = Array.prototype.map.call(f.elements.photos.files, function (file) { return { blob: file, name: file.name }; });
    enqueue({ id: id, type: "problem", label: f.elements.address.value, photos: photos, body: {
      id: id, region: f.elements.region.value, category: f.elements.category.value, address: f.elements.address.value,
      description: f.elements.description.value } });
    f.reset();
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", showStatus);
  setInterval(sync, 30000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(main.dataset.worker, { scope: "/grid/" }).catch(function () {});
  load().then(sync);
})();
