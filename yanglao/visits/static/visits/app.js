/* 巡访关爱 offline app: the worker's list and the visit form work without a signal.
 * Records are queued in IndexedDB with a client-generated UUID and uploaded when online;
 * the server answers per record accepted / duplicate / rejected, so a retried upload is a
 * no-op (issue 5 part 5). No library, no network beyond this site. */
(function () {
  "use strict";
  var root = document.getElementById("visit-app");
  if (!root) return;
  var DATA_URL = root.dataset.dataUrl, SYNC_URL = root.dataset.syncUrl;
  var DB = "yanglao-visits";
  var people = [];
  var $ = function (id) { return document.getElementById(id); };
  var form = $("visit-form");

  var O = window.YanglaoOffline, uuid4 = O.uuid4, Q = O.queue(DB);  // offline-queue.js
  var queueAll = Q.all, queuePut = Q.put;

  function say(text) { var m = $("app-message"); m.textContent = text; m.hidden = !text; }
  function refreshCount() {
    return queueAll().then(function (rows) {
      $("queue-count").textContent = rows.length;
      var queued = {};
      rows.forEach(function (r) { queued[r.person] = true; });
      renderList(queued);
      return rows;
    });
  }

  function renderList(queued) {
    var ul = $("people"), q = ($("list-filter").value || "").trim();
    ul.innerHTML = "";
    var shown = people.filter(function (p) { return !q || p.name.indexOf(q) >= 0; });
    if (!shown.length) { ul.innerHTML = '<li class="muted">名单为空</li>'; return; }
    shown.forEach(function (p) {
      var li = document.createElement("li");
      li.className = "person" + (p.task && p.task.status === "overdue" ? " overdue" : "");
      var task = p.task ? '<span class="badge st-' + p.task.status + '">' + p.task.status_label + "</span> 应访 " + p.task.due : '<span class="muted">本期无任务</span>';
      li.innerHTML = '<button type="button" class="pick"></button><div class="meta"></div>';
      li.querySelector(".pick").textContent = p.name + (p.backup ? "（备岗）" : "");
      li.querySelector(".meta").innerHTML = task + ' · <span class="badge risk-' + p.risk + '">' + p.risk_label + "</span>" +
        (queued && queued[p.id] ? ' · <span class="badge st-pending">已登记，待上传</span>' : "");
      var v = document.createElement("div"); v.className = "muted"; v.textContent = p.village + " " + (p.address || "");
      li.appendChild(v);
      if (p.phone) {  // the worker's own people: tap to call
        var tel = document.createElement("a"); tel.className = "tel"; tel.href = "tel:" + p.phone; tel.textContent = p.phone;
        li.appendChild(tel);
      } else if (p.phone_masked) {
        var m = document.createElement("div"); m.className = "muted"; m.textContent = p.phone_masked; li.appendChild(m);
      }
      li.querySelector(".pick").addEventListener("click", function () { openForm(p, null); });
      ul.appendChild(li);
    });
  }

  function loadList() {
    return fetch(DATA_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) throw new Error("login");
        return r.json();
      })
      .then(function (data) { people = data.people; $("list-date").textContent = data.today; return refreshCount(); })
      .catch(function () { say("名单无法更新（无网络或登录已过期），显示的是上次保存的内容。"); return refreshCount(); });
  }

  function today() { var d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 10); }

  function openForm(p, supersedes) {
    form.reset();
    form.person.value = p.id;
    form.supersedes.value = supersedes || "";
    form.visit_date.value = today();
    $("form-person").textContent = p.name;
    $("form-correct").hidden = !supersedes;
    $("form-errors").innerHTML = "";
    $("list-view").hidden = true; $("form-view").hidden = false;
    window.scrollTo(0, 0);
  }
  function closeForm() {
    $("form-view").hidden = true; $("list-view").hidden = false;
    form.dispatchEvent(new Event("yanglao:closed"));
  }

  var readPhotos = O.readPhotos;

  function collect() {
    var f = form, areas = ["health", "safety", "economy", "family", "needs", "mental"], findings = {};
    areas.forEach(function (a) {
      findings[a] = { level: f["f_" + a].value, note: f["n_" + a].value.trim() };
    });
    findings.needs.needs = Array.prototype.filter.call(f.querySelectorAll("input[name=need]"), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    var fus = [];
    if (f.emergency.checked) fus.push({ kind: "emergency", note: "巡访发现紧急情况", call_made: f.call_made.checked });
    if (f.service.checked) fus.push({ kind: "service", note: f.service_note.value.trim(), due_date: f.service_due.value || null });
    if (f.other.checked) fus.push({ kind: "other", note: f.other_note.value.trim() });
    var errors = [];
    if (!f.visit_date.value) errors.push("请填写巡访日期");
    if (f.visit_date.value > today()) errors.push("巡访日期不能晚于今天");
    areas.forEach(function (a) {
      if (findings[a].level !== "ok" && !findings[a].note) errors.push("有问题的项目请写明具体情况");
    });
    if (f.risk_level.value === "emergency" && !f.emergency.checked) errors.push("风险等级为“紧急”时须勾选紧急救助");
    if (f.service.checked && !f.service_note.value.trim()) errors.push("请写明转介到哪里");
    if (f.marked_change.checked && !f.summary.value.trim()) errors.push("申请即时评估时请在情况小结中写明明显变化");
    if (f.photos.files.length > 3) errors.push("最多3张照片");
    return {
      errors: errors,
      record: {
        client_uuid: uuid4(), person: f.person.value, supersedes: f.supersedes.value || null,
        method: f.method.value, visit_date: f.visit_date.value, visit_time: f.visit_time.value || null,
        risk_level: f.risk_level.value, findings: findings, summary: f.summary.value.trim(),
        marked_change: f.marked_change.checked, follow_ups: fus, location: f.location.value.trim(),
        latitude: f.latitude.value ? Number(f.latitude.value) : null,
        longitude: f.longitude.value ? Number(f.longitude.value) : null,
        queued_at: new Date().toISOString()
      }
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var c = collect(), ul = $("form-errors");
    ul.innerHTML = "";
    if (c.errors.length) {
      c.errors.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
      return;
    }
    readPhotos(form.photos.files).then(function (photos) {
      c.record.photos = photos;
      return queuePut(c.record);
    }).then(function () {
      closeForm();
      say(navigator.onLine ? "已保存，正在上传……" : "已保存在手机上，有网络时自动上传。");
      return refreshCount();
    }).then(function () { if (navigator.onLine) sync(); });
  });
  $("form-cancel").addEventListener("click", closeForm);
  $("list-filter").addEventListener("input", function () { refreshCount(); });
  $("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { say("此设备不能获取位置"); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.latitude.value = pos.coords.latitude.toFixed(6);
      form.longitude.value = pos.coords.longitude.toFixed(6);
      form.location.value = form.location.value || "已定位";
    }, function () { say("未能获取位置（可手工填写地点）"); }, { timeout: 8000 });
  });

  var sync = O.uploader({
    url: SYNC_URL, queue: Q, csrf: function () { return O.csrf(root.dataset.csrf); }, say: say,
    rejectedList: $("rejected"), refresh: refreshCount, after: function () { return loadList(); }
  });
  $("sync-now").addEventListener("click", function () { sync(); });
  O.watchNetwork($("net-status"), sync);
  var reloadIfUpdated = O.registerWorker({
    swUrl: root.dataset.swUrl, scope: "/visits/", dataUrl: DATA_URL, say: say,
    idle: function () { return $("form-view").hidden; }, updated: "巡访程序已更新：保存或返回名单后自动刷新。"
  });
  form.addEventListener("yanglao:closed", reloadIfUpdated);

  loadList().then(function () {
    var h = new URLSearchParams(location.hash.slice(1));
    var pid = h.get("person");
    if (pid) {
      var p = people.filter(function (x) { return x.id === pid; })[0] || { id: pid, name: h.get("name") || "" };
      openForm(p, h.get("correct"));
    }
    return sync();
  });
})();
