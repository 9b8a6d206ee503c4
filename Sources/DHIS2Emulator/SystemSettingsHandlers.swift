import DHIS2
import Hummingbird

/// `GET /api/systemSettings` and `GET /api/systemSettings/{key}`.
///
/// With `Accept: application/json` DHIS2 2.41+ answers a single setting as `{"<key>": value}` (OpenAPI
/// `getSystemSettingJson`) and all settings as one object (`SystemSettings`). The emulator knows the defaults of a few
/// settings that DHIS2 ships with; any other key is answered 404, as DHIS2 answers a key it does not know (the
/// message text is the emulator's own: the real one was not observed).
enum SystemSettingsHandlers {
    /// Default values as a fresh DHIS2 reports them; key names from OpenAPI `components.schemas.SystemSettings`.
    static let defaults: [String: JSONValue] = [
        "applicationTitle": "DHIS 2",
        "keyUiLocale": "en",
        "keyAnalysisRelativePeriod": "LAST_12_MONTHS",
        "keyCalendar": "iso8601",
        "keyDateFormat": "yyyy-MM-dd",
        "keyAnalyticsMaxLimit": 100000,
        "keyIgnoreAnalyticsApprovalYearThreshold": -1,
    ]

    static func all() -> Response {
        SystemHandlers.noStore(Reply.json(.object(defaults)))
    }

    static func one(key: String) -> Response {
        guard let value = defaults[key] else {
            return Reply.webMessage(.notFound, message: "Setting does not exist: \(key)", errorCode: "E1005")
        }
        return SystemHandlers.noStore(Reply.json([key: value]))
    }
}
