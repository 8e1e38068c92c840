/* boxoffice: the little glue htmx needs — toasts for failed requests, a fetch helper that sends the
   CSRF token, a progress bar, and what the pages would otherwise do in inline script (the
   Content-Security-Policy runs scripts from /static only). No dependencies. */
(function () {
  "use strict";

  /* the page's token (bound to this browser and its session by the gateway; the cookie is HttpOnly) */
  function csrfToken() {
    return document.body.dataset.csrf || "";
  }

  function toast(message, kind) {
    var region = document.getElementById("toasts");
    if (!region) return;
    kind = kind || "info";
    var item = document.createElement("div");
    item.className = "toast toast-" + kind;
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    item.setAttribute("data-toast", "");
    var icon = document.createElement("span");
    icon.className = "toast-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = kind === "success" ? "✓" : (kind === "info" ? "i" : "!");
    var text = document.createElement("span");
    text.className = "toast-text";
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.setAttribute("data-dismiss", "");
    close.textContent = "×";
    item.append(icon, text, close);
    region.appendChild(item);
    scheduleDismiss(item);
  }

  function scheduleDismiss(item) {
    if (item.dataset.timer) return;
    item.dataset.timer = "1";
    setTimeout(function () { item.remove(); }, item.classList.contains("toast-error") ? 9000 : 5000);
  }

  /* problem+json -> the words a person should read */
  function problemMessage(status, text) {
    try {
      var body = JSON.parse(text);
      if (body.errors && body.errors.length) {
        return body.errors.map(function (e) { return e.field + ": " + e.message; }).join("; ");
      }
      if (body.detail) return body.detail;
    } catch (e) { /* not JSON */ }
    if (status === 0) return "You seem to be offline. Check your connection and try again.";
    if (status === 429) return "Too many requests — please wait a moment.";
    if (status >= 500) return "Something went wrong on our side. Please try again.";
    return "That did not work (" + status + ").";
  }

  /* JSON API calls from page scripts: same-origin cookie auth plus the CSRF header. */
  function api(method, url, body, headers) {
    var init = { method: method, credentials: "same-origin", headers: Object.assign({ "Accept": "application/json" }, headers || {}) };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: response.ok, status: response.status, data: data, message: response.ok ? "" : problemMessage(response.status, text) };
      });
    }, function () {
      return { ok: false, status: 0, data: null, message: problemMessage(0, "") };
    });
  }

  function loginRedirect() {
    window.location.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    if (close) close.closest("[data-toast]").remove();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status === 401) { loginRedirect(); return; }
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.responseText.indexOf("hx-swap-oob") !== -1) {
      /* a page handler's error toast: let htmx apply the out-of-band part only */
      htmx.swap(document.body, xhr.responseText, { swapStyle: "none" });
      return;
    }
    toast(problemMessage(xhr.status, xhr.responseText), "error");
  });

  document.addEventListener("htmx:sendError", function () {
    toast(problemMessage(0, ""), "error");
  });

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-toast]").forEach(scheduleDismiss);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-toast]").forEach(scheduleDismiss);
  });

  /* the CSRF token in every htmx request */
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  /* the search box's suggestion list: Escape or leaving it closes it, ArrowDown walks into it */
  function closeSuggestions() {
    var list = document.getElementById("suggestions");
    if (list) list.innerHTML = "";
  }
  document.addEventListener("keydown", function (event) {
    var list = document.getElementById("suggestions");
    if (!list || !event.target.closest || !event.target.closest(".search-input-wrap")) return;
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var at = links.indexOf(document.activeElement);
    if (event.key === "Escape" && links.length) {  /* else the search box clears itself, as usual */
      event.preventDefault();
      closeSuggestions();
      document.getElementById("q").dataset.suggest = "off";  /* until the next keystroke */
      document.getElementById("q").focus();
    }
    else if (event.key === "ArrowDown" && links.length) { event.preventDefault(); links[Math.min(at + 1, links.length - 1)].focus(); }
    else if (event.key === "ArrowUp" && at >= 0) { event.preventDefault(); (at === 0 ? document.getElementById("q") : links[at - 1]).focus(); }
  });
  document.addEventListener("input", function (event) {
    if (event.target.id === "q") delete event.target.dataset.suggest;
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var q = document.getElementById("q");
    if (event.detail.target.id === "suggestions" && q && (q.dataset.suggest === "off" || document.activeElement !== q)) {
      event.detail.shouldSwap = false;  /* a late answer for a list the user closed */
    }
  });
  document.addEventListener("focusout", function (event) {
    if (!event.target.closest || !event.target.closest(".search-input-wrap")) return;
    setTimeout(function () {
      var wrap = document.querySelector(".search-input-wrap");
      if (wrap && !wrap.contains(document.activeElement)) closeSuggestions();
    }, 200);
  });

  /* the search form's URL (/search?q=...) is the search: empty fields stay out of it, so it is short
     enough to share; Back and Forward put the fields back as that URL says (htmx restores the page's
     HTML, but an input's typed value is not in the HTML) */
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get" || !event.detail.elt.closest || !event.detail.elt.closest("#search-form")) return;
    var params = event.detail.parameters;
    Object.keys(params).forEach(function (name) {
      if (params[name] === "" || params[name] === null) delete params[name];
    });
  });
  function fillSearchForm() {
    var form = document.getElementById("search-form");
    if (!form) return;
    var params = new URLSearchParams(window.location.search);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name) return;
      var given = params.getAll(field.name);
      if (field.type === "radio") field.checked = given.length ? given.indexOf(field.value) !== -1 : field.value === "";
      else if (field.type === "checkbox") field.checked = given.indexOf(field.value) !== -1;
      else if (field.name === "sort") field.value = given[0] || (params.get("q") ? "relevance" : "date");
      else if (field.tagName !== "BUTTON") field.value = given[0] || "";
    });
    closeSuggestions();
  }
  document.addEventListener("htmx:historyRestore", fillSearchForm);

  /* checkout: the time left on the hold, every second while the form is on the page */
  var checkoutClock = null;
  function tickCheckout() {
    var clocks = document.querySelectorAll("#checkout [data-expires]");
    if (!clocks.length) { clearInterval(checkoutClock); checkoutClock = null; return; }
    clocks.forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.expires) - Date.now()) / 1000);
      el.textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "Expired";
      if (left < 60) el.setAttribute("data-urgent", "");
    });
  }
  function startCheckoutClock() {
    if (!document.querySelector("#checkout [data-expires]")) return;
    tickCheckout();
    if (!checkoutClock) checkoutClock = setInterval(tickCheckout, 1000);
  }
  document.addEventListener("DOMContentLoaded", startCheckoutClock);
  document.addEventListener("htmx:load", startCheckoutClock);

  /* the venue builder: "+ Add section" asks for a card with a fresh index and the next number;
     a card's × removes it and tells the section list, which refreshes the preview */
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("[data-add-section]")) return;
    event.detail.parameters.index = Date.now();
    event.detail.parameters.number = document.querySelectorAll("#sections .section-card").length + 1;
  });
  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest("[data-remove-section]");
    if (!remove) return;
    var sections = remove.closest("#sections");
    remove.closest(".section-card").remove();
    if (sections) htmx.trigger(sections, "removed");
  });

  window.boxoffice = { toast: toast, api: api, csrfToken: csrfToken, loginRedirect: loginRedirect, problemMessage: problemMessage };
})();
