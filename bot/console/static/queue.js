// 普法助手工作台, the queue page: every 30 seconds ask whether new tickets arrived since the
// page was loaded (queue.json: a count, nothing personal) and say so above the list.
(function () {
  "use strict";
  var banner = document.querySelector(".new-arrivals");
  if (!banner || !window.fetch) return;
  var url = banner.getAttribute("data-poll") + "?since=" + encodeURIComponent(banner.getAttribute("data-since"));
  var every = parseInt(banner.getAttribute("data-every") || "30000", 10);
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) {
        if (data && data.arrived > 0) {
          banner.querySelector("span").textContent = "有 " + data.arrived + " 件新申请（或村里转来的案件）。";
          banner.hidden = false;
        }
      })
      .catch(function () {});
  }
  window.setInterval(poll, every);
})();
