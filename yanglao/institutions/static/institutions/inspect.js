/* 现场检查 offline app: the inspector's assigned tasks and their checklists work without a
 * signal. Each inspection is queued in IndexedDB under a client-generated UUID with its
 * photos and uploaded when online; the server stores it once however often it is sent
 * (issue 11 part 6; the shared queue and upload loop are yanglao/offline-queue.js). */
(function () {
  "use strict";
  var root = document.getElementById("inspect-app");
  if (!root) return;
  var O = window.YanglaoOffline, Q = O.queue("yanglao-inspections");
  var DATA_URL = root.dataset.dataUrl;
  var data = { tasks: [], checklists: {} }, current = null;
  var $ = function (id) { return document.getElementById(id); };
  var form = $("inspect-form");

  function say(text) { var m = $("app-message"); m.textContent = text; m.hidden = !text; }
  function today() { var d = new Date(); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 10); }
  function plusDays(iso, n) { var d = new Date(iso + "T00:00:00Z"); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); }

  function refresh() {
    return Q.all().then(function (rows) {
      $("queue-count").textContent = rows.length;
      var queued = {};
      rows.forEach(function (r) { queued[r.task] = true; });
      renderList(queued);
      return rows;
    });
  }

  function renderList(queued) {
    var ul = $("tasks");
    ul.innerHTML = "";
    if (!data.tasks.length) { ul.innerHTML = '<li class="muted">没有待检查的任务</li>'; return; }
    data.tasks.forEach(function (t) {
      var li = document.createElement("li"); li.className = "person";
      li.innerHTML = '<button type="button" class="pick"></button><div class="meta"></div>';
      li.querySelector(".pick").textContent = t.home;
      li.querySelector(".meta").textContent = t.plan + " · " + t.status_label + (queued[t.id] ? " · 已检查，待上传" : "");
      li.querySelector(".pick").addEventListener("click", function () { openForm(t); });
      ul.appendChild(li);
    });
  }

  function loadList() {
    return fetch(DATA_URL, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok || (r.headers.get("Content-Type") || "").indexOf("json") < 0) throw new Error("login");
        return r.json();
      })
      .then(function (d) { data = d; $("list-date").textContent = d.today; return refresh(); })
      .catch(function () { say("任务无法更新（无网络或登录已过期），显示的是上次保存的内容。"); return refresh(); });
  }

  function clauseBox(cl, t) {
    var box = $("clause-tpl").content.firstElementChild.cloneNode(true);
    box.dataset.code = cl.code;
    box.querySelector("legend").textContent = cl.code + " " + cl.text;
    box.querySelectorAll("input[type=radio]").forEach(function (r) { r.name = "v_" + cl.code; });
    var sel = box.querySelector(".f-resident");
    t.residents.forEach(function (p) { var o = document.createElement("option"); o.value = p.id; o.textContent = p.name; sel.appendChild(o); });
    var detail = box.querySelector(".finding"), serious = box.querySelector(".f-serious"), due = box.querySelector(".f-deadline");
    box.addEventListener("change", function (e) {
      var bad = box.querySelector("input[type=radio]:checked");
      bad = bad && bad.value === "nonconform";
      detail.hidden = !bad; box.classList.toggle("bad", bad);
      if (bad && (!due.value || e.target === serious)) {
        due.value = plusDays(form.inspected_on.value || today(), serious.checked ? data.serious_days : data.default_days);
      }
    });
    return box;
  }

  function openForm(t) {
    current = t;
    form.reset();
    form.task.value = t.id;
    form.inspected_on.value = today();
    $("form-home").textContent = t.home;
    $("form-errors").innerHTML = "";
    var host = $("clauses"); host.innerHTML = "";
    t.checklists.forEach(function (key) {
      var c = data.checklists[key], section = null;
      var h = document.createElement("h3"); h.textContent = c.title + "（" + c.basis + "）"; host.appendChild(h);
      c.clauses.forEach(function (cl) {
        if (cl.section !== section) {
          section = cl.section;
          var s = document.createElement("h3"); s.className = "section"; s.textContent = section; host.appendChild(s);
        }
        host.appendChild(clauseBox(cl, t));
      });
    });
    $("list-view").hidden = true; $("form-view").hidden = false;
    window.scrollTo(0, 0);
  }
  function closeForm() {
    $("form-view").hidden = true; $("list-view").hidden = false; current = null;
    form.dispatchEvent(new Event("yanglao:closed"));
  }

  $("all-conform").addEventListener("click", function () {
    document.querySelectorAll("#clauses fieldset.clause").forEach(function (box) {
      if (!box.querySelector("input[type=radio]:checked")) box.querySelector("input[value=conform]").checked = true;
    });
  });

  function collect() {
    var errors = [], lines = [], on = form.inspected_on.value;
    if (!on) errors.push("请填写检查日期");
    if (on > today()) errors.push("检查日期不能晚于今天");
    document.querySelectorAll("#clauses fieldset.clause").forEach(function (box) {
      var code = box.dataset.code, picked = box.querySelector("input[type=radio]:checked");
      if (!picked) { errors.push(code + "：请选择符合、不符合或不适用"); return; }
      var line = { clause: code, verdict: picked.value, files: null };
      if (picked.value === "nonconform") {
        line.note = box.querySelector(".f-note").value.trim();
        line.deadline = box.querySelector(".f-deadline").value || null;
        line.serious = box.querySelector(".f-serious").checked;
        line.residency = box.querySelector(".f-resident").value || null;
        line.files = box.querySelector(".f-photos").files;
        if (!line.note) errors.push(code + "：请写明存在的问题");
        if (!line.deadline || line.deadline <= on) errors.push(code + "：整改期限应晚于检查日期");
        if (line.files.length > 3) errors.push(code + "：最多3张照片");
      }
      lines.push(line);
    });
    return { errors: errors, lines: lines };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var c = collect(), ul = $("form-errors");
    ul.innerHTML = "";
    if (c.errors.length) {
      c.errors.slice(0, 8).forEach(function (m) { var li = document.createElement("li"); li.textContent = m; ul.appendChild(li); });
      return;
    }
    Promise.all(c.lines.map(function (ln) {
      var files = ln.files; delete ln.files;
      return (files ? O.readPhotos(files) : Promise.resolve([])).then(function (p) { ln.photos = p; return ln; });
    })).then(function (lines) {
      return Q.put({
        client_uuid: O.uuid4(), task: current.id, inspected_on: form.inspected_on.value,
        summary: form.summary.value.trim(), lines: lines, queued_at: new Date().toISOString()
      });
    }).then(function () {
      closeForm();
      say(navigator.onLine ? "已保存，正在上传……" : "已保存在手机上，有网络时自动上传。");
      return refresh();
    }).then(function () { if (navigator.onLine) sync(); })
      .catch(function () { say("照片无法读取，请重新选择"); });
  });
  $("form-cancel").addEventListener("click", closeForm);

  var sync = O.uploader({
    url: root.dataset.syncUrl, queue: Q, csrf: function () { return O.csrf(root.dataset.csrf); }, say: say,
    rejectedList: $("rejected"), refresh: refresh, after: function () { return loadList(); }
  });
  $("sync-now").addEventListener("click", function () { sync(); });
  O.watchNetwork($("net-status"), sync);
  var reloadIfUpdated = O.registerWorker({
    swUrl: root.dataset.swUrl, scope: root.dataset.scope, dataUrl: DATA_URL, say: say,
    idle: function () { return $("form-view").hidden; }, updated: "检查程序已更新：保存或返回任务后自动刷新。"
  });
  form.addEventListener("yanglao:closed", reloadIfUpdated);

  loadList().then(function () {
    var tid = new URLSearchParams(location.hash.slice(1)).get("task");
    var t = data.tasks.filter(function (x) { return x.id === tid; })[0];
    if (t) openForm(t);
    return sync();
  });
})();
