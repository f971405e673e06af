// pkgtrace pages: the status page refreshes itself from /api/status. Nothing else needs script.
(function () {
  var root = document.querySelector("[data-live]");
  if (!root) return;
  function get(obj, path) {
    return path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }
  function refresh() {
    fetch(root.getAttribute("data-live"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (st) {
        root.querySelectorAll("[data-k]").forEach(function (el) {
          var v = get(st, el.getAttribute("data-k"));
          el.textContent = v == null ? "-" : String(v);
        });
        var u = document.getElementById("updated");
        if (u) u.textContent = new Date().toLocaleTimeString();
        root.setAttribute("data-refreshed", String(st.time));
      })
      .catch(function () { var u = document.getElementById("updated"); if (u) u.textContent = "failed to refresh"; });
  }
  setInterval(refresh, 3000);
  refresh();
})();
