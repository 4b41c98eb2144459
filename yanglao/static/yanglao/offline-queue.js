/* Shared by the offline apps (巡访 visits, 现场检查 inspections): client-generated UUIDs, a
 * queue in IndexedDB keyed by that UUID, phone photos shrunk to at most 1280 px, the CSRF
 * token. The server stores each queued record once whatever the number of uploads. */
window.YanglaoOffline = (function () {
  "use strict";
  function uuid4() {  // crypto.randomUUID needs a secure context; getRandomValues does not
    var b = new Uint8Array(16); crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function queue(name) {
    var STORE = "queue";
    function db() {
      return new Promise(function (resolve, reject) {
        var req = indexedDB.open(name, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "client_uuid" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }
    function tx(mode, fn) {
      return db().then(function (d) {
        return new Promise(function (resolve, reject) {
          var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
          t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
          t.onerror = function () { reject(t.error); };
        });
      });
    }
    return {
      all: function () { return tx("readonly", function (s) { return s.getAll(); }); },
      put: function (r) { return tx("readwrite", function (s) { s.put(r); }); },
      del: function (k) { return tx("readwrite", function (s) { s.delete(k); }); }
    };
  }

  function shrink(file) {  // phones take 4000-pixel photos: send at most 1280 px, JPEG
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1280 / Math.max(img.width, img.height));
        var c = document.createElement("canvas");
        c.width = Math.round(img.width * scale); c.height = Math.round(img.height * scale);
        c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
        URL.revokeObjectURL(url);
        resolve(c.toDataURL("image/jpeg", 0.8));
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("photo")); };
      img.src = url;
    });
  }
  function readPhotos(files) {
    return Promise.all(Array.prototype.slice.call(files || [], 0, 3).map(shrink));
  }

  function csrf(fallback) {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  // The upload loop: one record per request, oldest first; a retry of any of them is harmless.
  // o: url, queue, csrf(), say(text), rejectedList (element), refresh() (count + list),
  // after() (reload the list once something was sent).
  function uploader(o) {
    var busy = false;
    function send(record) {
      var body = Object.assign({}, record); delete body.queued_at;
      return fetch(o.url, {
        method: "POST", credentials: "same-origin", redirect: "manual",
        headers: { "Content-Type": "application/json", "X-CSRFToken": o.csrf(), Accept: "application/json" },
        body: JSON.stringify({ records: [body] })
      }).then(function (r) {
        if (r.type === "opaqueredirect" || r.status === 403 || (r.headers.get("Content-Type") || "").indexOf("json") < 0) {
          throw new Error("login");
        }
        return r.json().then(function (data) {
          return data.results ? data.results[0] : { client_uuid: record.client_uuid, status: "rejected", errors: data.errors || {} };
        });
      });
    }
    function showRejected(res) {
      var li = document.createElement("li"); li.className = "msg-error";
      var msgs = []; Object.keys(res.errors || {}).forEach(function (k) { msgs = msgs.concat(res.errors[k]); });
      li.textContent = "有一条记录未被接收：" + msgs.join("；") + "（请修改后重新登记）";
      var drop = document.createElement("button"); drop.type = "button"; drop.className = "link"; drop.textContent = "删除这条";
      drop.addEventListener("click", function () { o.queue.del(res.client_uuid).then(function () { li.remove(); o.refresh(); }); });
      li.appendChild(drop); o.rejectedList.appendChild(li);
    }
    return function sync() {
      if (busy || !navigator.onLine) return Promise.resolve();
      busy = true;
      var done = 0;
      o.rejectedList.innerHTML = "";
      return o.queue.all().then(function (rows) {
        rows.sort(function (a, b) { return a.queued_at < b.queued_at ? -1 : 1; });
        return rows.reduce(function (chain, record) {
          return chain.then(function () {
            return send(record).then(function (res) {
              if (res.status === "accepted" || res.status === "duplicate") { done += 1; return o.queue.del(record.client_uuid); }
              showRejected(res);
              return null;
            });
          });
        }, Promise.resolve()).then(function () {
          if (rows.length) { o.say(done ? "已上传 " + done + " 条记录。" : ""); return o.after(); }
          return null;
        });
      }).catch(function (e) {
        o.say(e && e.message === "login" ? "登录已过期：请重新登录后再上传，记录仍保存在手机上。" : "暂时无法上传，稍后自动重试。");
      }).then(function () { busy = false; return o.refresh(); });
    };
  }

  // Online / offline badge, upload on reconnect and every 30 s.
  function watchNetwork(badge, sync) {
    function show() {
      badge.textContent = navigator.onLine ? "在线" : "离线";
      badge.className = "badge " + (navigator.onLine ? "st-visited" : "st-overdue");
    }
    window.addEventListener("online", function () { show(); sync(); });
    window.addEventListener("offline", show);
    setInterval(function () { if (navigator.onLine) sync(); }, 30000);
    show();
  }

  // The service worker (visits/sw.js, served under the app's scope). A new release takes over
  // at once; the page then reloads so it never keeps running old code — when idle() says the
  // form is closed, never under the worker's hand. Returns "reload if an update is waiting".
  function registerWorker(o) {
    var waiting = false;
    if (!("serviceWorker" in navigator)) return function () {};
    var hadWorker = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!hadWorker) { hadWorker = true; return; }
      if (o.idle()) { location.reload(); return; }
      waiting = true;
      o.say(o.updated);
    });
    navigator.serviceWorker.register(o.swUrl, { scope: o.scope, updateViaCache: "none" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      // Everything this page loaded (styles, scripts) is cached for the next offline start.
      var urls = [location.pathname, o.dataUrl].concat(performance.getEntriesByType("resource")
        .map(function (e) { return e.name; }).filter(function (u) { return u.indexOf(location.origin) === 0; }));
      if (reg.active) reg.active.postMessage({ cache: urls });
    }).catch(function () { /* no service worker (e.g. plain http): the page still works online */ });
    return function () { if (waiting) location.reload(); };
  }

  return {
    uuid4: uuid4, queue: queue, readPhotos: readPhotos, csrf: csrf, uploader: uploader,
    watchNetwork: watchNetwork, registerWorker: registerWorker
  };
})();
