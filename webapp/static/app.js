// The copy button of citation boxes (shown by this script alone), the search page's filters on narrow screens,
// and a queued upload's page looking for its outcomes.
// Static file only: the Content-Security-Policy forbids inline scripts.
"use strict";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  // Plain-HTTP deployments have no clipboard API: select a hidden textarea and copy that,
  // then give the focus back (selecting moved it to the textarea, removing that left it on <body>).
  return new Promise(function (resolve, reject) {
    var focused = document.activeElement;
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    document.body.removeChild(area);
    if (focused && typeof focused.focus === "function") { focused.focus(); }
    if (done) { resolve(); } else { reject(new Error("copy refused")); }
  });
}

// The copy buttons are hidden in the page, which works without this script; they are shown only here.
document.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });

document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-copy]");
  if (!button) { return; }
  var source = document.getElementById(button.getAttribute("data-copy"));
  var status = button.parentElement.querySelector(".copied");
  var text = source.textContent.trim();
  copyText(text).then(function () {
    button.setAttribute("data-copied", text);
    if (status) { status.textContent = "Copied"; }
  }, function () {
    if (status) { status.textContent = "Select the text and copy it by hand"; }
  });
});

// The filters come before the results in the page (and so in the keyboard's order, with a skip link past
// them). On a narrow screen they would fill the first screens above the results: there they are closed,
// behind their "Filters" summary, and open again when the window is made wide. Without this script they
// are simply open.
var narrow = window.matchMedia("(max-width: 60rem)");
function fitFilters() {
  document.querySelectorAll("details.filters").forEach(function (filters) { filters.open = !narrow.matches; });
}
fitFilters();
narrow.addEventListener("change", fitFilters);

// A queued upload's page asks for itself again every few seconds and reloads only when what it shows has
// changed (more outcomes, or the upload is in): a page that reloaded on a timer moved a screen reader's
// focus and the scroll back to the top while nothing had happened. Without this script a <noscript>
// refresh reloads it on a timer.
var waiting = document.querySelector("[data-waiting]");
if (waiting) {
  var seconds = Math.max(1, Number(waiting.getAttribute("data-poll")) || 15);
  var page = waiting.getAttribute("data-url");  // the upload's own page: the first one is the answer to a POST
  var look = function () {
    fetch(page, {credentials: "same-origin", cache: "no-store"}).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null) { window.setTimeout(look, seconds * 1000); return; }
      var now = new DOMParser().parseFromString(html, "text/html").querySelector("[data-waiting]");
      if (!now || now.getAttribute("data-waiting") !== waiting.getAttribute("data-waiting")) {
        window.location.replace(page);
      } else {
        window.setTimeout(look, seconds * 1000);
      }
    }, function () { window.setTimeout(look, seconds * 1000); });
  };
  window.setTimeout(look, seconds * 1000);
}
