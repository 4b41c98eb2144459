/* 上门服务 offline app (issue 12 part 3): the worker's dispatched orders; check-in, check-out
 * and the family's signature are queued in IndexedDB under client-generated UUIDs and uploaded
 * when online; the server stores each once (community.sync; the shared queue and upload loop
 * are yanglao/offline-queue.js, as the visit app). */
(function () {
  "use strict";
  var root = document.getElementById("worker-app");
  if (!root) return;
  var O = window.YanglaoOffline, Q = O.queue("yanglao-community");
  var $ = function (id) { return document.getElementById(id); };
  var data = { orders: [] }, current = null;
  var STATE_KEY = "yanglao-community-state";
  function state() { try { return JSON.parse(localStorage.getItem(STATE_KEY) || "{}"); } catch (e) { return {}; } }
  function setState(orderId, v) { var s = state(); s[orderId] = v; localStorage.setItem(STATE_KEY, JSON.stringify(s)); }
  function say(text) { var m = $("app-message"); m.textContent = text; m.hidden = !text; }
  function now() { return new Date().toISOString(); }

  function where() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve({}); return; }
      navigator.geolocation.getCurrentPosition(function (p) {
        resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude });
      }, function () { resolve({}); }, { timeout: 5000, maximumAge: 60000 });
    });
  }

  function logOf(o) {
    var local = state()[o.id];
    if (local && (!o.log || o.log.client_uuid !== local.log || rank(local.status) > rank(o.log.status))) return local;
    return o.log ? { log: o.log.client_uuid, status: o.log.status, id: o.log.id } : null;
  }
  function rank(s) { return { in_service: 1, awaiting: 2, confirmed: 3 }[s] || 0; }
  var LABEL = { in_service: "服务中（已签到）", awaiting: "已签退，待确认", confirmed: "已确认" };

  function queueRecord(r) { r.queued_at = now(); return Q.put(r).then(refresh).then(function () { return sync(); }); }

  function checkIn(o, files) {
    var cu = O.uuid4();
    return Promise.all([where(), O.readPhotos(files)]).then(function (res) {
      var rec = Object.assign({ client_uuid: cu, kind: "check_in", order: o.id, at: now() }, res[0]);
      if (res[1].length) rec.photo = res[1][0];
      setState(o.id, { log: cu, status: "in_service" });
      say("已签到：" + o.name);
      return queueRecord(rec);
    });
  }
  function checkOut(o, lg) {
    return where().then(function (pos) {
      var rec = Object.assign({ client_uuid: O.uuid4(), kind: "check_out", log: lg.log, at: now() }, pos);
      setState(o.id, { log: lg.log, status: "awaiting", id: lg.id });
      say("已签退：" + o.name + "，请老人或家属签字确认");
      return queueRecord(rec);
    });
  }

  function renderList() {
    var ul = $("orders"); ul.innerHTML = "";
    if (!data.orders.length) { ul.innerHTML = '<li class="muted">没有待上门的服务</li>'; return; }
    data.orders.forEach(function (o) {
      var lg = logOf(o);
      var li = document.createElement("li"); li.className = "person order"; li.dataset.order = o.id;
      li.innerHTML = '<strong class="who"></strong><div class="meta"></div><div class="actions"></div>';
      li.querySelector(".who").textContent = o.name + " · " + o.item;
      li.querySelector(".meta").textContent = o.village + " " + (o.address || "") + (o.scheduled ? " · 预约 " + o.scheduled : "") + (lg ? " · " + (LABEL[lg.status] || "") : "");
      var box = li.querySelector(".actions");
      if (!lg) {
        // The browser's own file button speaks English: a Chinese label opens it instead.
        var pick = document.createElement("label"); pick.className = "button photo-pick"; pick.textContent = "拍现场照片（可选）";
        var photo = document.createElement("input"); photo.type = "file"; photo.accept = "image/jpeg,image/png,image/webp"; photo.setAttribute("capture", "environment"); photo.hidden = true;
        photo.addEventListener("change", function () { pick.firstChild.textContent = photo.files.length ? "已拍照片 1 张" : "拍现场照片（可选）"; });
        pick.appendChild(photo);
        var b = document.createElement("button"); b.type = "button"; b.className = "button primary check-in"; b.textContent = "签到";
        b.addEventListener("click", function () { b.disabled = true; checkIn(o, photo.files).then(renderList); });
        box.appendChild(b); box.appendChild(pick);
      } else if (lg.status === "in_service") {
        var c = document.createElement("button"); c.type = "button"; c.className = "button primary check-out"; c.textContent = "签退";
        c.addEventListener("click", function () { c.disabled = true; checkOut(o, lg).then(renderList); });
        box.appendChild(c);
      } else if (lg.status === "awaiting") {
        var s = document.createElement("button"); s.type = "button"; s.className = "button primary sign"; s.textContent = "老人或家属确认";
        s.addEventListener("click", function () { openConfirm(o, lg); });
        box.appendChild(s);
      }
      ul.appendChild(li);
    });
  }

  // --- signature pad ---
  var canvas = $("signature"), ctx = canvas.getContext("2d"), drawing = false, signed = false;
  function fit() { var r = canvas.getBoundingClientRect(); if (r.width) { canvas.width = Math.round(r.width); canvas.height = Math.round(r.height); } ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111"; }
  function pos(e) { var r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; }
  canvas.addEventListener("pointerdown", function (e) { drawing = true; var p = pos(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId); });
  canvas.addEventListener("pointermove", function (e) { if (!drawing) return; var p = pos(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); signed = true; });
  canvas.addEventListener("pointerup", function () { drawing = false; });
  $("sig-clear").addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); signed = false; });

  function openConfirm(o, lg) {
    current = { order: o, log: lg };
    $("confirm-name").textContent = o.name + " · " + o.item;
    $("list-view").hidden = true; $("confirm-view").hidden = false;
    fit(); ctx.clearRect(0, 0, canvas.width, canvas.height); signed = false;
    $("rating").value = ""; $("evaluation").value = "";
  }
  function closeConfirm() { current = null; $("confirm-view").hidden = true; $("list-view").hidden = false; renderList(); }
  $("confirm-cancel").addEventListener("click", closeConfirm);
  function confirmRecord(extra) {
    var r = $("rating").value;
    return Object.assign({ client_uuid: O.uuid4(), kind: "confirm", log: current.log.log, rating: r ? parseInt(r, 10) : null, evaluation: $("evaluation").value }, extra);
  }
  $("confirm-save").addEventListener("click", function () {
    if (!signed) { say("请老人或家属先在方框内签字"); return; }
    var rec = confirmRecord({ method: "signature", signature: canvas.toDataURL("image/png") });
    setState(current.order.id, { log: current.log.log, status: "confirmed" });
    say("已确认：" + current.order.name);
    queueRecord(rec).then(closeConfirm);
  });
  function logId() {  // the server's id of the log (known once the check-in is uploaded)
    return sync().then(loadList).then(function () {
      var o = data.orders.filter(function (x) { return current && x.id === current.order.id; })[0];
      if (!o || !o.log) throw new Error("offline");
      return o.log.id;
    });
  }
  $("sms-send").addEventListener("click", function () {
    logId().then(function (id) {
      var body = new URLSearchParams({ phone: $("sms-phone").value });
      return fetch(root.dataset.smsUrl + id + "/sms/", { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": O.csrf(root.dataset.csrf) }, body: body })
        .then(function (r) { return r.json(); })
        .then(function (d) { say(d.message || Object.values(d.errors || {}).join("；")); });
    }).catch(function () { say("短信确认需要联网，请改用签字确认"); });
  });
  $("sms-confirm").addEventListener("click", function () {
    var rec = confirmRecord({ method: "sms", sms_code: $("sms-code").value });
    setState(current.order.id, { log: current.log.log, status: "confirmed" });
    queueRecord(rec).then(closeConfirm);
  });

  function refresh() { return Q.all().then(function (rows) { $("queue-count").textContent = rows.length; return rows; }); }
  function loadList() {
    return fetch(root.dataset.dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) throw new Error("login");
        return r.json();
      })
      .then(function (d) { data = d; $("list-date").textContent = d.today; if (!current) renderList(); return refresh(); })
      .catch(function () { say("名单无法更新（无网络或登录已过期），显示的是上次保存的内容。"); renderList(); return refresh(); });
  }
  var sync = O.uploader({
    url: root.dataset.syncUrl, queue: Q, csrf: function () { return O.csrf(root.dataset.csrf); },
    say: say, rejectedList: $("rejected"), refresh: refresh,
    after: function () { return loadList(); }
  });
  $("sync-now").addEventListener("click", function () { sync(); });
  O.watchNetwork($("net-status"), sync);
  O.registerWorker({ swUrl: root.dataset.swUrl, scope: root.dataset.scope, dataUrl: root.dataset.dataUrl,
    idle: function () { return !current; }, say: say, updated: "已有新版本，返回列表后自动更新。" });
  loadList().then(function () { return sync(); });
})();
