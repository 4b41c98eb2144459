/* Service worker of the offline apps (the visit app, scope /visits/; the inspection app,
 * scope /institutions/inspections/): each registers this file under its own scope and
 * serves its shell from <scope>app/. Pages and the worker's list:
 * network first, the cached copy when offline. Static files: cache first. Uploads (POST)
 * are never cached: the page queues them in IndexedDB itself. */
"use strict";
// The server writes the release's cache name here (visits/offline.py): version + digest of
// the offline files, so any change installs a new worker and `activate` drops the old cache.
var CACHE = "__YANGLAO_CACHE__";
// "yanglao-<app>-": `activate` drops this app's old releases, never another app's cache.
var FAMILY = CACHE.split("-").slice(0, 2).join("-") + "-";
var APP = new URL(self.registration.scope).pathname + "app/";
var SHELL = [APP, APP + "data.json"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(SHELL.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok && !r.redirected) return c.put(u, r); })
        .catch(function () { /* offline at install: cached on next visit */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE && k.indexOf(FAMILY) === 0; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return Promise.all(urls.map(function (u) {
      return c.match(u).then(function (hit) {
        if (hit) return null;
        return fetch(u, { credentials: "same-origin" }).then(function (r) { if (r.ok && !r.redirected) return c.put(u, r); })
          .catch(function () { return null; });
      });
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return r;
      });
    }));
    return;
  }
  if (url.pathname.indexOf(APP) !== 0) return;
  event.respondWith(fetch(req).then(function (r) {
    if (r.ok && !r.redirected) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
    return r;
  }).catch(function () {
    return caches.match(req, { ignoreSearch: true }).then(function (hit) {
      return hit || new Response("离线且没有缓存，请联网后打开一次。", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});
