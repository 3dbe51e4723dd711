// Lineup's service worker (served as /sw.js, scope "/"): the event pages a visitor opened,
// the event's schedule and their agenda stay readable offline.
//
// Pages: network first; every page that comes back 200 is saved, stamped with the time.
// Without a network, the saved copy answers, marked on <html data-offline-saved="ms">
// (static/js/offline.js then says "as of HH:MM"). Styles, scripts and images: the same,
// so saved pages keep their looks. Nothing of the admin, the API or sign-in is kept.
"use strict";

var CACHE = "lineup-pages-v1";
var STAMP = "X-Lineup-Saved-At";
var MAX_ENTRIES = 300; // pages and files; the oldest go first
var REFRESH_MS = 10 * 60 * 1000; // pages the visitor did not open are refreshed this often
var PRIVATE = /^\/(admin|api|accounts|i18n)(\/|$)/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
        return caches.delete(n);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function ours(url) {
  return url.origin === self.location.origin && !PRIVATE.test(url.pathname);
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

// Keep a copy of a 200 answer under its URL, stamped with the time it was saved.
function save(url, response) {
  if (response.status !== 200 || response.type !== "basic") return Promise.resolve();
  return response.blob().then(function (body) {
    var headers = new Headers(response.headers);
    headers.set(STAMP, String(Date.now()));
    headers.delete("Content-Length"); // the body is stored decoded
    headers.delete("Content-Encoding");
    var copy = new Response(body, { status: 200, statusText: "OK", headers: headers });
    return caches.open(CACHE).then(function (cache) {
      return cache.put(url, copy).then(function () { return trim(cache); });
    });
  });
}

function saved(url) {
  var bare = url.split("?")[0];
  var schedule = new URL(url).pathname.split("/")[1];
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url, { ignoreVary: true })
      // the same page with other filters, else the event's schedule
      .then(function (hit) { return hit || cache.match(bare, { ignoreSearch: true, ignoreVary: true }); })
      .then(function (hit) {
        return hit || (schedule ? cache.match("/" + schedule + "/schedule/", { ignoreVary: true }) : undefined);
      });
  });
}

// A saved page, marked so that the page can say it is a copy and from when.
function offlineCopy(hit) {
  return hit.text().then(function (html) {
    var stamp = hit.headers.get(STAMP) || "";
    var marked = html.replace("<html", '<html data-offline-saved="' + stamp.replace(/\D/g, "") + '"');
    return new Response(marked, { status: 200, headers: hit.headers });
  });
}

function page(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    if ((response.headers.get("Content-Type") || "").indexOf("text/html") === 0) {
      event.waitUntil(save(request.url, response.clone())); // not downloads (.ics)
    }
    return response;
  }, function () {
    return saved(request.url).then(function (hit) {
      return hit ? offlineCopy(hit) : Response.error();
    });
  });
}

function file(event) {
  var request = event.request;
  return fetch(request).then(function (response) {
    event.waitUntil(save(request.url, response.clone()));
    return response;
  }, function () {
    return caches.match(request.url, { ignoreVary: true }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

// After a star (or an unstar, or clearing), the saved agenda is out of date: fetch it anew.
function starred(event) {
  var agenda = "/" + new URL(event.request.url).pathname.split("/")[1] + "/agenda/";
  return fetch(event.request).then(function (response) {
    event.waitUntil(
      caches.match(agenda).then(function (hit) {
        if (!hit) return undefined;
        return fetch(agenda).then(function (fresh) { return save(fresh.url, fresh); }, function () {});
      })
    );
    return response;
  });
}

// Signing out leaves no agenda behind on the device.
function signedOut(event) {
  return fetch(event.request).then(function (response) {
    event.waitUntil(caches.open(CACHE).then(function (cache) {
      return cache.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) {
          return /^\/[^/]+\/agenda\//.test(new URL(key.url).pathname);
        }).map(function (key) { return cache.delete(key); }));
      });
    }));
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin && url.pathname === "/accounts/logout/") {
    event.respondWith(signedOut(event));
    return;
  }
  if (!ours(url)) return;
  if (request.method === "GET" && request.mode === "navigate") {
    event.respondWith(page(event));
  } else if (request.method === "GET" && /^(style|script|image|font|manifest)$/.test(request.destination)) {
    event.respondWith(file(event));
  } else if (request.method === "POST" && /^\/[^/]+\/agenda\//.test(url.pathname)) {
    event.respondWith(starred(event));
  }
});

// The styles, scripts and icons a saved page loads ("/static/..." and the event's theme).
var FILES = /<(?:script [^>]*src|link [^>]*rel="(?:stylesheet|icon|manifest)"[^>]*href)="([^"]+)"/g;

function filesOf(response) {
  if ((response.headers.get("Content-Type") || "").indexOf("text/html") !== 0) return [];
  return response.clone().text().then(function (html) {
    var found = [], match;
    FILES.lastIndex = 0;
    while ((match = FILES.exec(html))) found.push(match[1].replace(/&amp;/g, "&"));
    return found;
  });
}

// Keep these URLs (and, for pages, what they load), unless a copy is younger than
// REFRESH_MS. One request at a time, in the background: on a slow network the visitor's
// own next page goes first, not behind a burst of copies (issue 17).
function keep(urls, cache, depth) {
  return urls.reduce(function (done, path) {
    return done.then(function () { return keepOne(path, cache, depth); });
  }, Promise.resolve());
}

function keepOne(path, cache, depth) {
  var url = new URL(path, self.location.origin);
  if (!ours(url)) return undefined;
  return cache.match(url.href, { ignoreVary: true }).then(function (hit) {
    var age = hit ? Date.now() - Number(hit.headers.get(STAMP) || 0) : Infinity;
    if (age < REFRESH_MS) return undefined;
    return fetch(url.href).then(function (response) {
      var more = depth ? filesOf(response) : [];
      return Promise.all([save(url.href, response), more]).then(function (found) {
        return found[1].length ? keep(found[1], cache, 0) : undefined;
      });
    }, function () {});
  });
}

// A page asks to keep itself, its event's schedule and the agenda (offline.js).
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) { return keep(urls, cache, 1); }));
});
