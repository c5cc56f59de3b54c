// The field page's service worker: the page, its data and its static files are answered from the network when
// there is one (and kept), from what was kept when there is not. Records are not sent from here: the page keeps
// its own queue in IndexedDB and sends it when the connection returns.
var CACHE = "minping-field-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  var kept = url.pathname.indexOf("/static/") === 0 || url.pathname === "/grid/field/" || url.pathname === "/grid/field/data.json";
  if (url.origin !== self.location.origin || !kept) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (match) { return match || Response.error(); });
  }));
});
