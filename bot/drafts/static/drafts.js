// 起诉状预览：打印按钮（内容安全策略不允许页面内脚本）。
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-button");
  if (button) button.addEventListener("click", function () { window.print(); });
});
