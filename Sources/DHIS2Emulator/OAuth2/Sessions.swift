import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// HTTP sessions (`JSESSIONID`), as DHIS2's session-based login keeps them: created when an unauthenticated browser
/// is sent to the login app (holding the request to return to), authenticated by `POST /api/auth/login`. In memory
/// only, so a restart logs everybody out, as it does with DHIS2's default session store.
final class SessionRegistry: Sendable {
    static let cookieName = "JSESSIONID"

    private struct Session {
        var username: String?
        var savedRequest: String?
    }

    private let sessions = Mutex<[String: Session]>([:])

    /// The username of the authenticated session the request's `JSESSIONID` names, if any.
    func username(for request: Request) -> String? {
        guard let id = request.cookies[Self.cookieName]?.value else { return nil }
        return sessions.withLock { $0[id]?.username }
    }

    /// Remembers `url` as the request to return to after login, in the request's session or a new one; returns the
    /// id of a newly created session (to be sent in `Set-Cookie`), or `nil` when the existing one was used.
    func saveRequest(_ url: String, for request: Request) -> String? {
        let existing = request.cookies[Self.cookieName]?.value
        return sessions.withLock { sessions in
            if let existing, sessions[existing] != nil {
                sessions[existing]?.savedRequest = url
                return nil
            }
            let id = Self.newID()
            sessions[id] = Session(username: nil, savedRequest: url)
            return id
        }
    }

    /// Authenticates the request's session as `username` under a new id (Spring's session-fixation protection
    /// changes the id at login); returns the new id and the saved request, which the session forgets.
    func logIn(_ username: String, request: Request) -> (sessionID: String, savedRequest: String?) {
        let previous = request.cookies[Self.cookieName]?.value
        return sessions.withLock { sessions in
            var saved: String?
            if let previous, let old = sessions.removeValue(forKey: previous) { saved = old.savedRequest }
            let id = Self.newID()
            sessions[id] = Session(username: username, savedRequest: nil)
            return (id, saved)
        }
    }

    /// The `Set-Cookie` value for a session id: `Path=/`, `HttpOnly`, `SameSite=Lax` (DHIS2's default).
    static func setCookie(_ id: String) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Lax"
    }

    private static func newID() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02X", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }
}

/// `POST /api/auth/login` (2.41+): the JSON login DHIS2's login app performs (reference §1.2).
enum LoginStep {
    static func login(request: Request, body: ByteBuffer, snapshot: StoreSnapshot, sessions: SessionRegistry)
        -> Response
    {
        guard let json = try? JSONValue(parsing: Data(body.readableBytesView)), json.objectValue != nil else {
            return Reply.webMessage(.badRequest, message: "Required request body is missing")
        }
        guard let username = json["username"]?.stringValue, let password = json["password"]?.stringValue,
            let user = snapshot.user(named: username), user.accepts(password: password)
        else {
            // BadCredentialsException → 401 WebMessage (CrudControllerAdvice.handleBadCredentialsException).
            return Reply.webMessage(.unauthorized, message: "Bad credentials")
        }
        let (sessionID, saved) = sessions.logIn(user.username, request: request)
        var headers = HTTPFields()
        headers[.setCookie] = SessionRegistry.setCookie(sessionID)
        return Reply.json(["loginStatus": "SUCCESS", "redirectUrl": .string(saved ?? "/")], headers: headers)
    }
}
