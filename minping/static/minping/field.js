// The grid worker's field page: works offline. The worker's households and the categories are kept in
// IndexedDB; visits and problem reports go into a queue there, each with an id made on the phone, and are sent
// when the connection returns. The server finds a record sent twice, so a retry never stores it twice, and a record
// leaves the queue only when the server's answer names it: a lapsed login keeps everything queued until the worker
// logs in again.
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
  var stale = false;  // the last answer settled nothing: fetch the data and token again before the next try
  var problem = null;  // why the queue could not be sent: "Login", "Forbidden" or "Retry"
  var SEND_TIMEOUT = 30000;

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
      var help = document.getElementById("field-problem");
      help.hidden = !(items.length && problem);
      help.querySelector("span").textContent = problem ? t(problem) : "";
      help.querySelector("a").hidden = problem !== "Login";
    });
  }

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label;
    select.appendChild(o);
  }

  // Redrawn whenever the data changes: what the worker has chosen stays chosen.
  function keepChoices(selects, draw) {
    var chosen = selects.map(function (select) { return select.value; });
    selects.forEach(function (select) { select.textContent = ""; });
    draw();
    selects.forEach(function (select, i) {
      if (Array.prototype.some.call(select.options, function (o) { return o.value === chosen[i]; })) select.value = chosen[i];
    });
  }

  // Every redraw keeps every choice, the record to visit included: a redraw that lands between choosing a record
  // and pressing save must not move the visit to another household.
  function render() {
    var visit = document.getElementById("visit-form"), problem = document.getElementById("problem-form");
    var selects = [visit.elements.household, visit.elements.kind, problem.elements.region, problem.elements.category];
    keepChoices(selects, function () { draw(visit, problem); });
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
    request.redirect = "manual";  // a login page reached by a redirect is not an answer about the record
    request.headers["X-CSRFToken"] = (data && data.csrf) || main.dataset.csrf;
    request.headers.Accept = "application/json";
    return timed(fetch(item.type === "visit" ? main.dataset.visit : main.dataset.problem, request), SEND_TIMEOUT).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? r.json() : Promise.resolve(null)).catch(function () { return null; })
        .then(function (body) { return { status: r.status, body: body || {} }; });
    });
  }

  function timed(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (value) { clearTimeout(timer); resolve(value); }, function (error) { clearTimeout(timer); reject(error); });
    });
  }

  // What the server said of one queued record. Only an answer naming the record by its id settles it: stored
  // (2xx) or refused for good (4xx with the record's id, its reason shown). Anything else keeps it queued: a
  // redirect, an expired login (401), a refused token (403), a server error, HTML where JSON was expected.
  function settled(item, answer) {
    if (answer.body.record !== item.id) return false;
    if (answer.status >= 200 && answer.status < 300) return true;
    return answer.status >= 400 && answer.status < 500 && answer.status !== 401 && answer.status !== 403;
  }

  function blocked(answer) {
    if (answer.status === 401 || answer.status === 0 || (answer.status >= 300 && answer.status < 400)) return "Login";
    if (answer.status === 403) return "Forbidden";
    return "Retry";
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
            if (!settled(item, answer)) {
              stale = true;
              throw new Error(blocked(answer));
            }
            if (answer.status >= 400) say(t("Refused", { label: item.label, message: answer.body.message || answer.status }), "error");
            if (answer.body.conflict) {
              var c = answer.body.conflict;
              say(t("Conflict", { code: item.label, current: c.current, proposed: c.proposed }), "warning");
            }
            return store("queue", "readwrite", function (s) { s.delete(item.id); });
          });
        });
      });
      return chain;
    }).then(function () { problem = null; }, function (error) {
      // Offline, timed out, logged out or the server is down: the queue stays, and is sent again on the next try.
      problem = ["Login", "Forbidden", "Retry"].indexOf(error.message) >= 0 ? error.message : null;
    }).then(function () { sending = false; return showStatus(); });
  }

  // After an answer that settled nothing, the page's data and token are fetched afresh before the next try (a
  // login in another tab changes the token).
  function retry() {
    if (!stale || !navigator.onLine) return sync();
    stale = false;
    return load().then(sync);
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
    render();  // at once, while the worker's hand is still on the button: the list moves on to the next one due
    f.elements.household.value = records()[0].key;
    store("data", "readwrite", function (s) { s.put(data, "data"); });
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

  window.addEventListener("online", retry);
  window.addEventListener("offline", showStatus);
  setInterval(retry, 30000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(main.dataset.worker, { scope: "/grid/" }).catch(function () {});
  load().then(sync);
})();
