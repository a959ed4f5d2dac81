// The verification page's two behaviours, with no framework and nothing sent anywhere but this
// server:
// - It follows its record. The server sends the record's version as a Server-Sent Event
//   (`version`, from the URL in #record's data-watch) when the page connects and after each change
//   the indexer commits; when it differs from the version shown, the page fetches itself again and
//   swaps #record in place (the document check below keeps its verdict). <html data-following>
//   says the page is following.
// - The document check. The visitor drops (or picks) the e-LG file; the browser computes its
//   SHA-256 with WebCrypto and compares it with the hashes recorded on chain, which the page lists
//   in #documents. The file never leaves the browser.
"use strict";
(function () {
  var wanted = null;
  var busy = false;
  var tries = 0;
  var fileHash = null;

  function record() {
    return document.getElementById("record");
  }

  function refresh() {
    var current = record();
    if (busy || !current || !wanted || wanted === current.getAttribute("data-version")) return;
    busy = true;
    fetch(location.pathname, { cache: "no-store", headers: { accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("record");
        if (next) {
          record().replaceWith(next);
          judge();
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
        // The page may have been read from a snapshot just before the change: try again, a few times.
        if (wanted !== record().getAttribute("data-version") && ++tries <= 5) setTimeout(refresh, 500);
        else tries = 0;
      });
  }

  var start = record();
  if (start && start.getAttribute("data-watch") && window.EventSource) {
    var source = new EventSource(start.getAttribute("data-watch"));
    source.addEventListener("version", function (event) {
      document.documentElement.setAttribute("data-following", "yes");
      wanted = event.data;
      tries = 0;
      refresh();
    });
  }

  // ---- the document check
  var verdict = document.getElementById("verdict");
  var input = document.getElementById("document");
  var zone = document.getElementById("drop");
  if (!verdict || !input || !zone) return;

  function hex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "0x";
    for (var i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return out;
  }

  function say(kind, th, en, detail) {
    verdict.setAttribute("data-verdict", kind);
    verdict.className = "verdict " + kind;
    verdict.textContent = "";
    [["th", th], ["en", en], ["", detail]].forEach(function (line) {
      if (!line[1]) return;
      var p = document.createElement("p");
      if (line[0]) p.lang = line[0];
      else p.className = "hash";
      p.textContent = line[1];
      verdict.appendChild(p);
    });
  }

  function text(name, label) {
    return (verdict.getAttribute("data-" + name) || "").replace("{document}", label || "");
  }

  function judge() {
    if (!fileHash) return;
    var found = null;
    document.querySelectorAll("#documents [data-sha256]").forEach(function (item) {
      if (!found && item.getAttribute("data-sha256") === fileHash) found = item;
    });
    var detail = "SHA-256 " + fileHash;
    if (found) {
      var label = found.getAttribute("data-label");
      say("match", text("match-th", found.getAttribute("data-label-th")), text("match-en", label), detail);
    } else {
      say("mismatch", text("mismatch-th"), text("mismatch-en"), detail);
    }
  }

  function check(file) {
    if (!file) return;
    if (!window.crypto || !window.crypto.subtle) {
      say("error", text("insecure-th"), text("insecure-en"), "");
      return;
    }
    say("busy", text("busy-th"), text("busy-en"), file.name);
    file
      .arrayBuffer()
      .then(function (bytes) {
        return window.crypto.subtle.digest("SHA-256", bytes);
      })
      .then(function (digest) {
        fileHash = hex(digest);
        judge();
      })
      .catch(function () {
        say("error", text("unreadable-th"), text("unreadable-en"), file.name);
      });
  }

  input.addEventListener("change", function () {
    check(input.files && input.files[0]);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  zone.addEventListener("dragleave", function () {
    zone.classList.remove("over");
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    check(event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0]);
  });
})();
