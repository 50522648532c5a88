/* Batch signing: sign the selected dossiers a few at a time through the
   JSON endpoint and move the progress bar after each chunk. Without
   JavaScript the form posts every selected dossier and the server signs them. */
(function () {
  "use strict";
  var form = document.getElementById("sign-form");
  if (!form || !window.fetch || !window.FormData) { return; }

  var chunkSize = parseInt(form.dataset.chunk, 10) || 5;
  var all = document.getElementById("sign-all");
  var boxes = function () { return Array.prototype.slice.call(form.querySelectorAll('input[name="dossier"]')); };
  var panel = document.getElementById("sign-progress");
  var bar = document.getElementById("sign-progress-bar");
  var text = document.getElementById("sign-progress-text");
  var failures = document.getElementById("sign-failures");
  var error = document.getElementById("sign-error");
  var button = document.getElementById("sign-submit");
  var token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  if (all) {
    document.getElementById("sign-all-wrap").hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { if (!box.disabled) { box.checked = all.checked; } });
    });
  }

  function row(id) { return form.querySelector('tr[data-id="' + id + '"]'); }

  function report(done, total) {
    bar.max = total;
    bar.value = done;
    var percent = total ? Math.round((done * 100) / total) : 100;
    bar.textContent = percent + "%";
    bar.setAttribute("aria-valuenow", String(percent));
    text.textContent = fill(form.dataset.textProgress, { done: done, total: total }) + " (" + percent + "%)";
  }

  function fail(code, reason) {
    var item = document.createElement("li");
    var strong = document.createElement("strong");
    strong.textContent = code;
    item.appendChild(strong);
    item.appendChild(document.createTextNode(": " + reason));
    failures.appendChild(item);
  }

  function send(ids) {
    var body = new FormData();
    ids.forEach(function (id) { body.append("dossier", id); });
    return fetch(form.dataset.runUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.detail || response.statusText); }
        return data;
      });
    });
  }

  form.addEventListener("submit", function (event) {
    var selected = boxes().filter(function (box) { return box.checked && !box.disabled; });
    event.preventDefault();
    if (!selected.length) {
      error.textContent = form.dataset.textNone;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    var ids = selected.map(function (box) { return box.value; });
    var codes = {};
    ids.forEach(function (id) { codes[id] = row(id).dataset.code; });
    var total = ids.length, done = 0, signed = 0, failed = 0;
    failures.textContent = "";
    panel.hidden = false;
    button.disabled = true;
    report(0, total);

    function next() {
      if (!ids.length) {
        text.textContent = fill(form.dataset.textDone, { signed: signed, failed: failed }) + " (100%)";
        button.disabled = false;
        return;
      }
      var chunk = ids.splice(0, chunkSize);
      send(chunk).then(function (data) {
        chunk.forEach(function (id) {
          var code = codes[id];
          var tr = row(id);
          var box = tr.querySelector('input[name="dossier"]');
          box.checked = false;
          if (data.signed.indexOf(code) !== -1) {
            signed += 1;
            box.disabled = true;
            tr.classList.add("is-signed");
            tr.querySelector(".sign-state").textContent = form.dataset.textSigned;
          } else {
            failed += 1;
            tr.classList.add("is-failed");
            fail(code, data.failed[code] || data.failed[id] || "?");
          }
        });
        done += chunk.length;
        report(done, total);
        next();
      }).catch(function (problem) {
        error.textContent = form.dataset.textError + " " + (problem && problem.message ? problem.message : "");
        error.hidden = false;
        button.disabled = false;
      });
    }
    next();
  });
})();
