// 普法助手工作台, the ticket page: nothing typed into the reply box is lost.
// - The box is kept as a draft in this tab's sessionStorage (per staff member and ticket) on every
//   change, and put back when the page opens again with an empty box: after a reload, after the
//   FAQ search without JavaScript, after the login page when the session had ended.
// - The draft is forgotten once the server says it was sent (data-sent-draft = its id).
// - "插入问答库答案" searches with fetch() (faq.json) and never reloads the page.
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  var box = document.getElementById("reply-text");

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  if (form && box) {
    var key = "pufa-reply:" + form.getAttribute("data-user") + ":" + form.getAttribute("data-ticket");
    var idField = form.querySelector("input[name=draft_id]");
    var note = form.querySelector(".draft-note");
    var s = store();
    var draft = null;
    try { draft = s && JSON.parse(s.getItem(key) || "null"); } catch (e) { draft = null; }
    var sent = form.getAttribute("data-sent-draft");
    if (draft && sent && draft.id === sent) {
      s.removeItem(key);
      draft = null;
    }
    if (draft && draft.text && !box.value.trim()) {
      box.value = draft.text;
      if (note) {
        note.textContent = "已恢复您上次写了还没发出的回复。";
        note.hidden = false;
      }
    }
    var id = (draft && draft.id) || (Date.now().toString(36) + Math.random().toString(36).slice(2, 10));
    idField.value = id;
    var save = function () {
      if (!s) return;
      if (box.value.trim()) {
        s.setItem(key, JSON.stringify({id: id, text: box.value}));
      } else {
        s.removeItem(key);
      }
    };
    box.addEventListener("input", save);
    form.addEventListener("submit", save);
    if (box.value.trim()) save();  // the server gave the text back (e.g. a refused send)
  }

  // The FAQ search: results into the list under the search box, inserted with the same buttons.
  var search = document.querySelector("form.faq-search");
  if (!search) return;
  var list = search.parentNode.querySelector(".faq-results");
  var status = search.parentNode.querySelector(".faq-status");
  function item(question, text) {
    var li = document.createElement("li");
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    summary.textContent = question;
    var p = document.createElement("p");
    p.className = "pre";
    p.textContent = text;
    details.appendChild(summary);
    details.appendChild(p);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "insert";
    button.setAttribute("data-insert", text);
    button.textContent = "插入到回复框";
    li.appendChild(details);
    li.appendChild(button);
    return li;
  }
  search.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = search.querySelector("input[name=faq]").value.trim();
    if (!q) return;
    status.textContent = "正在搜索……";
    fetch(search.getAttribute("data-url") + "?q=" + encodeURIComponent(q),
          {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) {
        if (resp.status === 401) throw new Error("login");
        if (!resp.ok) throw new Error("http");
        return resp.json();
      })
      .then(function (data) {
        while (list.firstChild) list.removeChild(list.firstChild);
        data.results.forEach(function (r) { list.appendChild(item(r.question, r.text)); });
        status.textContent = data.results.length ? "找到 " + data.results.length + " 条，点“插入到回复框”。" : "没有找到相关的问答，换个说法试试。";
      })
      .catch(function (err) {
        status.textContent = err.message === "login"
          ? "登录已过期：请重新登录（您写的回复保存在这个浏览器里，登录后会自动填回）。"
          : "搜索没有成功，请稍后再试。";
      });
  });
})();
