// 普法助手工作台: ask before a step that is hard to undo (办结, 转司法所, 停用, 重置密码).
// Mark the form: <form method="post" data-confirm="确定要……吗？"> (a <select> in it adds its choice
// to the question). When the user agrees, the form is sent with confirm=1. Without JavaScript the
// server asks on its own page instead (bot/console/confirm.py), so nothing depends on this file.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!form.matches || !form.matches("form[data-confirm]")) return;
  var field = form.querySelector("input[name=confirm]");
  if (field && field.value === "1") return;
  var message = form.getAttribute("data-confirm");
  var select = form.querySelector("select");
  if (select && select.value) message += "\n" + select.options[select.selectedIndex].text;
  if (!window.confirm(message)) {
    ev.preventDefault();
    return;
  }
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirm";
    form.appendChild(field);
  }
  field.value = "1";
});
