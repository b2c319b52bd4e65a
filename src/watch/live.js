// ouvrage watch: reloads this page when a rebuild changed it, keeping the
// scroll position, and keeps the overlay of problems up to date. Served by `ouvrage watch` only, never written to _book.
(function () {
  "use strict";
  // This run's token, for the review panel's writes (src/watch/review.rs).
  var me = document.currentScript;
  window.ouvrageToken = me ? me.getAttribute("data-token") || "" : "";
  // Our own restoration, the same in every browser, applied again once
  // images have loaded and the page has its full height.
  if ("scrollRestoration" in history) { history.scrollRestoration = "manual"; }
  var key = "ouvrage-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    var y = Number(saved);
    var restore = function () { window.scrollTo(0, y); };
    restore();
    document.addEventListener("DOMContentLoaded", restore);
    window.addEventListener("load", restore);
  }
  var here = decodeURIComponent(location.pathname.replace(/^\/html\//, "").replace(/^\//, "")) || "index.html";
  var events = new EventSource("/__ouvrage/events");
  events.addEventListener("reload", function (e) {
    var data = JSON.parse(e.data);
    if (data.all || data.pages.indexOf(here) >= 0) {
      sessionStorage.setItem(key, String(window.scrollY));
      location.reload();
    }
  });
  // The problems and what is behind changed: the overlay is replaced in
  // place, without reloading the page.
  events.addEventListener("status", function () {
    fetch("/__ouvrage/overlay").then(function (r) { return r.text(); }).then(function (html) {
      var old = document.getElementById("ouvrage-problems");
      if (old) { old.parentNode.removeChild(old); }
      if (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var aside = holder.firstElementChild;
        if (aside) { document.body.appendChild(aside); }
      }
    });
  });
  window.ouvrageEvents = events;
  // A chapter page gets the review panel.
  if (document.querySelector("article.chapter[data-chapter]")) {
    var review = document.createElement("script");
    review.src = "/__ouvrage/review.js";
    document.body.appendChild(review);
  }
})();
