// The set-password page: the token is in the URL fragment, which no server ever
// sees; read it, take it out of the address bar, and post it with the password.
// Messages come from the form's data attributes, in the page's language.
"use strict";
const token = location.hash.slice(1);
history.replaceState(null, "", location.pathname);
const form = document.getElementById("set-password");
const out = document.getElementById("set-password-status");
const api = token.startsWith("vsp_") ? "/api/v1/staff/password" : "/api/v1/people/password";
if (!token) {
  out.textContent = form.dataset.noToken;
} else {
  form.hidden = false;
}
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const password = form.elements.password.value;
  if (password !== form.elements.again.value) {
    out.textContent = form.dataset.differ;
    return;
  }
  const response = await fetch(api, {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token, password}),
  });
  if (response.status === 204) {
    form.hidden = true;
    out.textContent = form.dataset.done;
  } else {
    const body = await response.json();
    out.textContent = body.error + (body.hint ? " " + body.hint : "");
  }
});
