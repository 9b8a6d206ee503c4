import Hummingbird
import NIOCore

/// `/dhis-web-login/`: a minimal stand-in for DHIS2's login app, so a person can finish an OAuth2 login in a browser
/// against `dhis2 emulator serve`.
///
/// DHIS2's real login app is a web app that posts the credentials to `POST /api/auth/login` and, on
/// `loginStatus: SUCCESS`, navigates to the returned `redirectUrl` (reference §1.2). This page does the same with a
/// plain form and a few lines of script; it looks nothing like DHIS2's, and claims nothing else.
enum LoginPage {
    static func matches(_ path: String) -> Bool {
        path == "/dhis-web-login" || path.hasPrefix("/dhis-web-login/")
    }

    static func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html;charset=UTF-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static let html = """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>DHIS2 emulator — log in</title>
        <style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}</style>
        </head>
        <body>
        <h1>DHIS2 emulator</h1>
        <form id="login">
          <label>Username <input name="username" autocomplete="username" required></label>
          <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
          <button type="submit">Log in</button>
        </form>
        <p id="status" role="status"></p>
        <script>
        document.getElementById("login").addEventListener("submit", async (event) => {
          event.preventDefault();
          const form = new FormData(event.target);
          const status = document.getElementById("status");
          const response = await fetch("../api/auth/login", {
            method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({username: form.get("username"), password: form.get("password")})
          });
          const body = await response.json().catch(() => ({}));
          if (response.ok && body.loginStatus === "SUCCESS") {
            window.location.assign(body.redirectUrl || "/");
          } else {
            status.textContent = body.message || body.loginStatus || "Login failed";
          }
        });
        </script>
        </body>
        </html>
        """
}
