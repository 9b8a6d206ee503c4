import DHIS2Core
import Foundation

/// Validates JSON instances against the schemas of one of DHIS2's OpenAPI documents, strictly enough to catch an
/// emulator that invents fields or mistypes them.
///
/// What is checked, keyword by keyword:
/// - `$ref`: resolved inside the document (siblings of `$ref`, such as `readOnly`, are annotations and ignored).
/// - `type`: `object`, `array`, `string`, `boolean`, `number`, `integer` (a number with no fractional part); DHIS2's
///   non-standard `type: any` accepts anything. A schema without `type` constrains only what its other keywords say.
/// - `format`: `date-time` must be DHIS2's zone-less `yyyy-MM-dd'T'HH:mm:ss.SSS` (what its Jackson mapper writes, e.g.
///   `2012-11-14T12:54:28.086`); `int32`/`int64` ranges; `uid` (11 letters or digits); `uuid`. Other formats
///   (`class`, `period`, `locale`, …) are descriptive and not checked.
/// - `properties`: **an instance property the schema does not declare is a violation**, unless the schema has
///   `additionalProperties` (a schema to validate the value against, or `true`), the property is declared by a
///   sibling `allOf` branch, or ``SpecDefect/allowList`` names it (which can also replace a declared property's
///   schema, a whole component's, or accept an explicit `null` where real servers write one). An object schema with neither `properties` nor
///   `additionalProperties` is opaque (v41's `WebMessage.response`) and accepts any members.
/// - `additionalProperties` maps, `items`, `enum`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`.
/// - `oneOf`/`anyOf`: pass when **at least one** branch validates. DHIS2's `oneOf`s overlap (several
///   `WebMessage.response` branches accept the same object), so "exactly one" would reject real responses.
///   `allOf`: every branch must validate, and a property declared by any branch counts as declared.
/// - `null`: allowed only where the schema says `nullable: true` or constrains nothing (`{}`, `type: any`).
///   DHIS2 serialises with `NON_NULL` and omits null properties, so an explicit `null` is a shape it does not send.
///
/// `required` is **not enforced**. DHIS2 generates it from Java (primitive types and annotations), not from what the
/// JSON always contains, and its mapper omits nulls. Real payloads break it everywhere: `WebMessage` lists
/// `errorCode` as required but real servers omit it on success; `OrganisationUnit` requires `aggregationType`, which
/// no organisation unit in the play fixtures (`fixtures/play/organisation_units.json`) carries; and every reference
/// is rendered as `{"id": …}` against a full component, so `DataElement.optionSet` (an `OptionSet`, which requires
/// `valueType` and `version`) fails in 11 of the 67 play data elements. Tests that rely on a property being present
/// assert it explicitly instead.
struct SchemaValidator: Sendable {
    /// The document whose schemas instances are validated against.
    let document: OpenAPIDocument
    /// The spec defects tolerated for this document's version.
    let defects: [SpecDefect]

    init(document: OpenAPIDocument, defects: [SpecDefect] = SpecDefect.allowList) {
        self.document = document
        self.defects = defects.filter { $0.versions.contains(document.apiVersion) }
    }

    /// Violations of `instance` against `components.schemas.<name>`, each `"<JSON path>: <what is wrong>"`.
    func validate(_ instance: JSONValue, component name: String) -> [String] {
        validate(instance, schema: .object(["$ref": .string("#/components/schemas/\(name)")]))
    }

    /// Violations of `instance` against an arbitrary schema of this document.
    func validate(_ instance: JSONValue, schema: JSONValue, location: String = "(inline)") -> [String] {
        let run = ValidationRun()
        check(instance, schema, path: "$", location: location, depth: 0, run: run)
        return run.violations
    }

    /// Violations of a response body against what the document declares for the request: the path's response for
    /// `status` and `contentType`, after the spec defects of ``SpecDefect/allowList`` are applied. When the path has
    /// alternative operations (see ``OpenAPIDocument/responses(method:path:status:contentType:)``) the body conforms
    /// if it matches any of them; otherwise the closest alternative's violations are returned. A request the document
    /// does not describe at all is itself reported as a violation.
    func validateResponse(_ body: JSONValue, method: String, path: String, status: Int,
                          contentType: String = "application/json") -> [String]
    {
        let declarations: [OpenAPIDocument.ResponseDeclaration]
        do {
            declarations = try responseDeclarations(method: method, path: path, status: status,
                                                    contentType: contentType)
        } catch {
            return ["$: \(error)"]
        }
        var closest: [String]?
        for declaration in declarations {
            let violations = validate(body, declaration: declaration, method: method)
            if violations.isEmpty { return [] }
            if closest == nil || violations.count < (closest?.count ?? 0) { closest = violations }
        }
        return closest ?? []
    }

    private func validate(_ body: JSONValue, declaration: OpenAPIDocument.ResponseDeclaration, method: String)
        -> [String]
    {
        guard var schema = declaration.schema else {
            if body.isNull { return [] }
            return ["$: \(method.uppercased()) \(declaration.template) response \(declaration.statusKey) declares no body"]
        }
        if let reference = schema["$ref"]?.stringValue {
            let name = Self.componentName(reference)
            for defect in defects {
                if case .errorResponseSchema(let declared, let actual) = defect.kind, declared == name {
                    schema = .object(["$ref": .string("#/components/schemas/\(actual)")])
                }
            }
        }
        let location = "\(method.uppercased()) \(declaration.template) \(declaration.statusKey)"
        return validate(body, schema: schema, location: location)
    }

    /// The declarations `validateResponse` validates against, with the undeclared-status defects applied.
    private func responseDeclarations(method: String, path: String, status: Int, contentType: String) throws
        -> [OpenAPIDocument.ResponseDeclaration]
    {
        do {
            return try document.responses(method: method, path: path, status: status, contentType: contentType)
        } catch OpenAPIDocumentError.undeclaredStatus(let failedMethod, let template, let failedStatus, let declared) {
            for defect in defects {
                if case .undeclaredStatus(let defectMethod, let actual, let documented) = defect.kind,
                    defectMethod == method.uppercased(), actual == status
                {
                    return try document.responses(method: method, path: path, status: documented,
                                                  contentType: contentType)
                }
            }
            throw OpenAPIDocumentError.undeclaredStatus(method: failedMethod, template: template,
                                                        status: failedStatus, declared: declared)
        }
    }

    // MARK: - The recursive check

    /// Per-call state: the violations found so far and compiled patterns.
    private final class ValidationRun {
        var violations: [String] = []
        var patterns: [String: NSRegularExpression?] = [:]

        func report(_ path: String, _ message: String) { violations.append("\(path): \(message)") }

        func regex(_ pattern: String) -> NSRegularExpression? {
            if let cached = patterns[pattern] { return cached }
            // A pattern that is not a valid regular expression constrains nothing (DHIS2 uses a few descriptive ones).
            let compiled = try? NSRegularExpression(pattern: pattern)
            patterns[pattern] = compiled
            return compiled
        }
    }

    /// Deeper than this without the instance getting smaller means a `$ref` cycle, not a real payload.
    private static let maximumDepth = 200

    private func check(_ instance: JSONValue, _ schema: JSONValue, path: String, location: String, depth: Int,
                       run: ValidationRun, declaredBySiblings: Set<String> = [])
    {
        guard depth < Self.maximumDepth else {
            run.report(path, "schema nesting deeper than \(Self.maximumDepth) at \(location) (a $ref cycle?)")
            return
        }
        switch schema {
        case .bool(true): return
        case .bool(false):
            run.report(path, "no value is allowed here by \(location)")
            return
        case .object: break
        default:
            run.report(path, "the schema at \(location) is not a schema object")
            return
        }

        if let reference = schema["$ref"]?.stringValue {
            if let replacement = misdescribed(component: Self.componentName(reference)) {
                check(instance, replacement, path: path,
                      location: "\(Self.componentName(reference)) (allow-listed)", depth: depth + 1, run: run)
                return
            }
            do {
                let target = try document.resolve(reference)
                check(instance, target, path: path, location: Self.componentName(reference), depth: depth + 1,
                      run: run, declaredBySiblings: declaredBySiblings)
            } catch {
                run.report(path, "\(error)")
            }
            return
        }

        let type = schema["type"]?.stringValue
        if instance.isNull {
            let constrainsNothing = (type == nil || type == "any") && !Self.hasConstraints(schema)
            if schema["nullable"]?.boolValue != true && !constrainsNothing {
                run.report(path, "null is not allowed by \(location) (DHIS2 omits null properties)")
            }
            return
        }

        checkComposition(instance, schema, path: path, location: location, depth: depth, run: run,
                         declaredBySiblings: declaredBySiblings)

        if let type, type != "any", !Self.instance(instance, hasType: type) {
            run.report(path, "expected \(type) (\(location)), found \(Self.describe(instance))")
            return
        }

        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(instance) {
            let shown = allowed.count <= 12
                ? allowed.map(Self.render).joined(separator: ", ")
                : allowed.prefix(12).map(Self.render).joined(separator: ", ") + ", … (\(allowed.count) values)"
            run.report(path, "\(Self.render(instance)) is not one of the values \(location) allows: \(shown)")
        }

        switch instance {
        case .string(let string):
            checkString(string, schema, path: path, location: location, run: run)
        case .number(let number):
            checkNumber(number, schema, path: path, location: location, run: run)
        case .array(let elements):
            if let items = schema["items"] {
                let itemLocation = Self.isReference(items) ? location : "\(location)[]"
                for (index, element) in elements.enumerated() {
                    check(element, items, path: "\(path)[\(index)]", location: itemLocation, depth: depth + 1, run: run)
                }
            }
        case .object(let members):
            checkObject(members, schema, path: path, location: location, depth: depth, run: run,
                        declaredBySiblings: declaredBySiblings)
        case .bool, .null:
            break
        }
    }

    private func checkComposition(_ instance: JSONValue, _ schema: JSONValue, path: String, location: String,
                                  depth: Int, run: ValidationRun, declaredBySiblings: Set<String>)
    {
        for keyword in ["oneOf", "anyOf"] {
            guard let branches = schema[keyword]?.arrayValue, !branches.isEmpty else { continue }
            var closest: [String]?
            for branch in branches {
                let branchRun = ValidationRun()
                branchRun.patterns = run.patterns
                check(instance, branch, path: path, location: location, depth: depth + 1, run: branchRun,
                      declaredBySiblings: declaredBySiblings)
                if branchRun.violations.isEmpty {
                    closest = nil
                    break
                }
                if closest == nil || branchRun.violations.count < (closest?.count ?? 0) {
                    closest = branchRun.violations
                }
            }
            if let closest {
                let names = branches.map { $0["$ref"]?.stringValue.map(Self.componentName) ?? "inline" }
                run.report(path, "matches none of the \(keyword) branches of \(location) "
                    + "(\(names.joined(separator: ", "))); the closest fails with: "
                    + closest.joined(separator: "; "))
            }
        }
        if let branches = schema["allOf"]?.arrayValue, !branches.isEmpty {
            var declared = declaredBySiblings
            for branch in branches { declared.formUnion(declaredPropertyNames(branch, depth: depth)) }
            for branch in branches {
                check(instance, branch, path: path, location: location, depth: depth + 1, run: run,
                      declaredBySiblings: declared)
            }
        }
    }

    private func checkString(_ string: String, _ schema: JSONValue, path: String, location: String,
                             run: ValidationRun)
    {
        let length = string.count
        if let minimum = schema["minLength"]?.intValue, length < minimum {
            run.report(path, "\"\(string)\" is shorter than the minimum length \(minimum) of \(location)")
        }
        if let maximum = schema["maxLength"]?.intValue, length > maximum {
            run.report(path, "\"\(string)\" is longer than the maximum length \(maximum) of \(location)")
        }
        if let pattern = schema["pattern"]?.stringValue, let regex = run.regex(pattern) {
            let range = NSRange(string.startIndex..., in: string)
            if regex.firstMatch(in: string, range: range) == nil {
                run.report(path, "\"\(string)\" does not match the pattern \(pattern) of \(location)")
            }
        }
        switch schema["format"]?.stringValue {
        case "date-time":
            if !Self.isDHIS2DateTime(string) {
                run.report(path, "\"\(string)\" is not a DHIS2 date-time (yyyy-MM-dd'T'HH:mm:ss.SSS, no zone) "
                    + "as \(location) requires")
            }
        case "uid":
            if !(string.count == 11 && string.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                run.report(path, "\"\(string)\" is not a DHIS2 UID (11 letters or digits) as \(location) requires")
            }
        case "uuid":
            if UUID(uuidString: string) == nil {
                run.report(path, "\"\(string)\" is not a UUID as \(location) requires")
            }
        default:
            break
        }
    }

    private func checkNumber(_ number: Double, _ schema: JSONValue, path: String, location: String,
                             run: ValidationRun)
    {
        let rendered = Self.render(.number(number))
        switch schema["format"]?.stringValue {
        case "int32" where number < Double(Int32.min) || number > Double(Int32.max):
            run.report(path, "\(rendered) is outside the int32 range of \(location)")
        case "int64" where number < -9.223_372_036_854_775_808e18 || number >= 9.223_372_036_854_775_808e18:
            run.report(path, "\(rendered) is outside the int64 range of \(location)")
        default:
            break
        }
        if let minimum = schema["minimum"]?.doubleValue, number < minimum {
            run.report(path, "\(rendered) is below the minimum \(Self.render(.number(minimum))) of \(location)")
        }
        if let maximum = schema["maximum"]?.doubleValue, number > maximum {
            run.report(path, "\(rendered) is above the maximum \(Self.render(.number(maximum))) of \(location)")
        }
    }

    private func checkObject(_ members: [String: JSONValue], _ schema: JSONValue, path: String, location: String,
                             depth: Int, run: ValidationRun, declaredBySiblings: Set<String>)
    {
        let properties = schema["properties"]?.objectValue
        let additional = schema["additionalProperties"]
        // Neither keyword: an opaque object (e.g. v41 `WebMessage.response`), or one whose members an allOf sibling
        // or a oneOf branch describes.
        if properties == nil && additional == nil { return }

        for key in members.keys.sorted() {
            guard let value = members[key] else { continue }
            let memberPath = Self.appending(key, to: path)
            if properties?[key] != nil, value.isNull, isExplicitNullTolerated(property: key, of: location) {
                continue
            } else if properties?[key] != nil, let replacement = mistyped(property: key, of: location) {
                check(value, replacement, path: memberPath, location: "\(location).\(key) (allow-listed)",
                      depth: depth + 1, run: run)
            } else if let propertySchema = properties?[key] {
                let memberLocation = Self.isReference(propertySchema) ? location : "\(location).\(key)"
                check(value, propertySchema, path: memberPath, location: memberLocation, depth: depth + 1, run: run)
            } else if let additional, additional.boolValue == nil {
                check(value, additional, path: memberPath,
                      location: Self.isReference(additional) ? location : "\(location){}", depth: depth + 1, run: run)
            } else if additional?.boolValue == true || declaredBySiblings.contains(key) {
                continue
            } else if let defect = tolerated(property: key, of: location) {
                if case .undeclaredProperty(_, _, let valueSchema) = defect.kind {
                    check(value, valueSchema, path: memberPath, location: "\(location).\(key) (allow-listed)",
                          depth: depth + 1, run: run)
                }
            } else {
                run.report(memberPath, "property \"\(key)\" is not declared by \(location)")
            }
        }
    }

    /// The allow-list entry that tolerates `property` on the schema at `location`, if any.
    private func tolerated(property: String, of location: String) -> SpecDefect? {
        defects.first { defect in
            guard case .undeclaredProperty(let owner, let name, _) = defect.kind, name == property else { return false }
            return owner == location
        }
    }

    /// The schema allow-listed instead of the declared one for `property` of the schema at `location`, if any.
    private func mistyped(property: String, of location: String) -> JSONValue? {
        for defect in defects {
            if case .mistypedProperty(let owner, let name, let schema) = defect.kind, owner == location,
                name == property
            {
                return schema
            }
        }
        return nil
    }

    /// Whether an explicit `null` for `property` of the schema at `location` is allow-listed.
    private func isExplicitNullTolerated(property: String, of location: String) -> Bool {
        defects.contains { defect in
            guard case .explicitNull(let owner, let name) = defect.kind else { return false }
            return owner == location && name == property
        }
    }

    /// The schema allow-listed instead of the component `name`, if any.
    private func misdescribed(component name: String) -> JSONValue? {
        for defect in defects {
            if case .misdescribedComponent(let component, let schema) = defect.kind, component == name { return schema }
        }
        return nil
    }

    /// The property names a schema declares, following `$ref` and nested `allOf`.
    private func declaredPropertyNames(_ schema: JSONValue, depth: Int) -> Set<String> {
        guard depth < Self.maximumDepth else { return [] }
        if let reference = schema["$ref"]?.stringValue {
            guard let target = try? document.resolve(reference) else { return [] }
            return declaredPropertyNames(target, depth: depth + 1)
        }
        var names = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        for branch in schema["allOf"]?.arrayValue ?? [] {
            names.formUnion(declaredPropertyNames(branch, depth: depth + 1))
        }
        return names
    }

    // MARK: - Small helpers

    static func componentName(_ reference: String) -> String {
        reference.hasPrefix("#/components/schemas/")
            ? String(reference.dropFirst("#/components/schemas/".count)) : reference
    }

    private static func isReference(_ schema: JSONValue) -> Bool { schema["$ref"] != nil }

    private static func hasConstraints(_ schema: JSONValue) -> Bool {
        let constraining: Set<String> = [
            "properties", "additionalProperties", "items", "enum", "oneOf", "anyOf", "allOf", "format", "pattern",
            "minLength", "maxLength", "minimum", "maximum",
        ]
        return schema.objectValue?.keys.contains(where: constraining.contains) ?? false
    }

    private static func instance(_ instance: JSONValue, hasType type: String) -> Bool {
        switch (type, instance) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number):
            true
        case ("integer", .number(let value)):
            value.rounded(.towardZero) == value && value.isFinite
        default:
            false
        }
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS` with a real calendar date and clock time, no zone.
    static func isDHIS2DateTime(_ string: String) -> Bool {
        let characters = Array(string.utf8)
        guard characters.count == 23 else { return false }
        let digitPositions = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]
        let separators: [Int: UInt8] = [4: UInt8(ascii: "-"), 7: UInt8(ascii: "-"), 10: UInt8(ascii: "T"),
                                        13: UInt8(ascii: ":"), 16: UInt8(ascii: ":"), 19: UInt8(ascii: ".")]
        for position in digitPositions where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(characters[position]) {
            return false
        }
        for (position, separator) in separators where characters[position] != separator { return false }
        func number(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 * 10 + Int(characters[$1] - UInt8(ascii: "0")) }
        }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        let hour = number(11..<13), minute = number(14..<16), second = number(17..<19)
        guard (1...12).contains(month), hour < 24, minute < 60, second < 60 else { return false }
        let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let daysInMonth = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...daysInMonth).contains(day)
    }

    private static func appending(_ key: String, to path: String) -> String {
        let isIdentifier = !key.isEmpty && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return isIdentifier ? "\(path).\(key)" : "\(path)[\"\(key)\"]"
    }

    private static func describe(_ instance: JSONValue) -> String {
        switch instance {
        case .null: "null"
        case .bool: "boolean \(render(instance))"
        case .number: "number \(render(instance))"
        case .string: "string \(render(instance))"
        case .array(let elements): "array of \(elements.count)"
        case .object: "object"
        }
    }

    /// A short JSON rendering for messages.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            if let exact = Int(exactly: number) { return String(exact) }
            return String(number)
        case .string(let string):
            let shown = string.count > 60 ? string.prefix(60) + "…" : Substring(string)
            return "\"\(shown)\""
        case .array(let elements): return "[…\(elements.count) elements]"
        case .object(let members): return "{…\(members.count) members}"
        }
    }
}
