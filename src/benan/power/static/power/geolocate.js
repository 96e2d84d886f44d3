/* 使用当前位置: fills the check form's latitude and longitude from the browser's geolocation.
 * The button stays hidden where the browser has none; the numbers can always be typed by hand.
 * Browsers give a position only to secure pages (HTTPS or localhost). */
(function () {
  "use strict";

  var ERRORS = {
    1: "未获得定位授权，请在浏览器中允许定位或手动填写",
    2: "无法确定当前位置，请手动填写",
    3: "定位超时，请重试或手动填写",
  };

  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    if (!("geolocation" in navigator)) return;
    var form = button.closest("form");
    var status = button.parentElement.querySelector("[data-geolocate-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!window.isSecureContext) {
        status.textContent = "浏览器只在 HTTPS 页面提供定位，请手动填写经纬度";
        return;
      }
      status.textContent = "正在定位…";
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          form.querySelector("[data-geo='lat']").value = position.coords.latitude.toFixed(6);
          form.querySelector("[data-geo='lon']").value = position.coords.longitude.toFixed(6);
          status.textContent = "已定位，精度约 " + Math.round(position.coords.accuracy) + " 米";
          button.disabled = false;
        },
        function (error) {
          status.textContent = ERRORS[error.code] || ERRORS[2];
          button.disabled = false;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
