/* Field mode's service worker (protection/fieldmode.py): keeps the report and registration
   pages and the files they need, and serves them when there is no connection. Pages are
   fetched from the network first and kept for the next time; a page not kept answers the
   browser's own offline error. The queue itself lives in the page (static/js/field-mode.js). */
"use strict";
const VERSION = {{ version|safe }};
const STATIC = {{ static|safe }};
const PAGES = {{ pages|safe }};
const SHELL = "field-shell-" + VERSION + "-" + STATIC.join("|").length;
const PAGE_CACHE = "field-pages";

// The signed-in user's own pages, fetched again when the page asks (after a sign-in).
function keepPages() {
  return caches.open(PAGE_CACHE).then((cache) => Promise.all(PAGES.map((path) =>
    fetch(path, { credentials: "same-origin" }).then((response) => {
      if (response.ok && !response.redirected) return cache.put(path, response);
      return cache.delete(path);
    }).catch(() => undefined)
  )));
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener("message", (event) => {
  if (event.data === "keep-pages") event.waitUntil(keepPages());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("field-shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function offlinePage(url) {
  return PAGES.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && offlinePage(url)) {
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(PAGE_CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      }).catch(() => caches.open(PAGE_CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit || Response.error()))
    );
    return;
  }
  if (STATIC.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
