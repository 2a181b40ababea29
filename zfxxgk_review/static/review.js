// zfxxgk review: the keys. Served from the package; every key follows a link the page renders, so the
// page works without this script too.
(function () {
  "use strict";
  function go(id) {
    var a = document.getElementById(id);
    if (a) { window.location.href = a.href; return true; }
    return false;
  }
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  var help = document.getElementById("help");
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === "Escape") {
      if (typing(document.activeElement)) { document.activeElement.blur(); }
      if (help) { help.hidden = true; }
      return;
    }
    if (typing(document.activeElement)) { return; }
    var tag = document.activeElement ? document.activeElement.tagName : "";
    if (ev.key === "Enter" && (tag === "A" || tag === "BUTTON")) { return; }
    var value = document.getElementById("value");
    var done = true;
    switch (ev.key) {
      case "n": case "j": done = go("next-doubt"); break;
      case "p": case "k": done = go("prev-doubt"); break;
      case "c": done = go("next-conflict"); break;
      case "u": done = go("next-unread"); break;
      case "]": done = go("next-report"); break;
      case "[": done = go("prev-report"); break;
      case "r": done = go("back"); break;
      case "e": case "Enter":
        if (value) { value.focus(); value.select(); } else { done = false; }
        break;
      case "y":
        var confirm = document.getElementById("confirm-btn");
        if (confirm) { confirm.click(); } else { done = false; }
        break;
      case "?": if (help) { help.hidden = !help.hidden; } break;
      default: done = false;
    }
    if (done) { ev.preventDefault(); }
  });
  var selected = document.querySelector("td.selected");
  if (selected && selected.scrollIntoView) { selected.scrollIntoView({block: "center"}); }
  var changedOnly = document.getElementById("changed-only");
  if (changedOnly) {
    changedOnly.addEventListener("change", function () {
      document.getElementById("compare").classList.toggle("changed-only", changedOnly.checked);
    });
  }
})();
