/// Percent-encoding of URL components, byte by byte over UTF-8, so non-ASCII text is always encoded.
enum PercentEncoding {
    /// Unreserved characters (RFC 3986) plus `extra`, which stay as they are; every other byte becomes `%XX`.
    static func encode(_ string: String, keeping extra: String = "") -> String {
        let kept = Set(extra.utf8)
        var result = [UInt8]()
        result.reserveCapacity(string.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in string.utf8 {
            let isUnreserved =
                (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            if isUnreserved || kept.contains(byte) {
                result.append(byte)
            } else {
                result.append(0x25)
                result.append(hex[Int(byte >> 4)])
                result.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// A form or query component: DHIS2's filter punctuation (`:` `,` `!` `$` `*`) stays readable, everything else
    /// outside the unreserved set is encoded — including `[`, `]`, `&`, `=`, `+` and spaces.
    static func queryComponent(_ string: String) -> String { encode(string, keeping: ":,!$*") }

    /// A path segment: `/` is kept so a caller's multi-segment path survives.
    static func path(_ string: String) -> String { encode(string, keeping: "/:,!$*@;=") }
}
