"""The page an invitation link opens: choose a password.

The token travels in the URL fragment (``#vi_...``), which browsers never
send to a server, so it appears in no access log and no Referer header; the
page's script reads it, removes it from the address bar and posts it with the
new password. The portal and console proper come later.
"""

from __future__ import annotations

import base64
import hashlib

from fastapi.responses import HTMLResponse

SCRIPT = """
const token = location.hash.slice(1);
history.replaceState(null, "", location.pathname);
const form = document.getElementById("f"), out = document.getElementById("out");
const api = token.startsWith("vsp_") ? "/api/v1/staff/password" : "/api/v1/people/password";
if (!token) { out.textContent = "This page needs the link from your invitation mail."; }
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const password = form.password.value;
  if (password !== form.again.value) { out.textContent = "The two passwords differ."; return; }
  const response = await fetch(api, {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({token, password})});
  if (response.status === 204) {
    form.hidden = true;
    out.textContent = "Your password is set. You can sign in now.";
  } else {
    const body = await response.json();
    out.textContent = body.error + (body.hint ? " " + body.hint : "");
  }
});
"""

PAGE = f"""<!doctype html>
<html lang="en"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Set your password · voxkeep</title>
<body style="font-family:system-ui;max-width:28em;margin:3em auto;padding:0 1em">
<h1>Set your password</h1>
<form id="f">
<p><label>New password (at least 12 characters)<br>
<input name="password" type="password" autocomplete="new-password" minlength="12" required
 style="width:100%"></label></p>
<p><label>The same again<br>
<input name="again" type="password" autocomplete="new-password" minlength="12" required
 style="width:100%"></label></p>
<p><button>Set password</button></p>
</form>
<p id="out" role="status" aria-live="polite"></p>
<script>{SCRIPT}</script>
</body></html>"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; script-src 'sha256-{_SCRIPT_HASH}'; connect-src 'self'; "
        "style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def set_password_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers=HEADERS)
