// pkgtrace pages: the status page keeps itself current by fetching its own server-rendered
// markup again and swapping the live part in. Nothing else needs script.
(function () {
  var root = document.querySelector("[data-live]");
  if (!root) return;
  var updated = document.getElementById("updated");
  function refresh() {
    fetch(root.getAttribute("data-live"), { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
        if (!fresh) return;
        root.innerHTML = fresh.innerHTML;
        root.setAttribute("data-refreshed", String(Date.now()));
        if (updated) updated.textContent = new Date().toLocaleTimeString();
      })
      .catch(function () { if (updated) updated.textContent = "failed to refresh (retrying)"; });
  }
  setInterval(refresh, 3000);
})();
