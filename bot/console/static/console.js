// 普法助手工作台: put a canned reply or an FAQ answer into the reply box.
document.addEventListener("click", function (ev) {
  var button = ev.target.closest ? ev.target.closest("button[data-insert]") : null;
  if (!button) return;
  var box = document.getElementById("reply-text");
  if (!box) return;
  var text = button.getAttribute("data-insert");
  box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n\n" + text : text;
  box.dispatchEvent(new Event("input"));  // ticket.js keeps the draft
  box.focus();
  box.scrollIntoView({block: "center"});
});
