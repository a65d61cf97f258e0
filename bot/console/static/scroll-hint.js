// 普法助手工作台: a wide table in <div class="scroll"> scrolls sideways; when it does not fit
// (on a phone), a hint above it says so, and the box can be scrolled with the keyboard too.
(function () {
  function update() {
    document.querySelectorAll(".scroll").forEach(function (box) {
      var hint = box.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "表格较宽，请左右滑动查看 →";
        box.parentNode.insertBefore(hint, box);
        box.setAttribute("tabindex", "0");
      }
      var wide = box.scrollWidth > box.clientWidth + 1;
      hint.hidden = !wide;
      box.classList.toggle("overflowing", wide);
    });
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
})();
