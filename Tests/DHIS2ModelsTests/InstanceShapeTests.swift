import DHIS2Core
import DHIS2Models
import Foundation
import Testing

/// Instance shapes read what real DHIS2 sends and what clients send, not only what the OpenAPI documents mark
/// required: members the documents require but real payloads omit are optional (`GenerationPlan.notRequired`).
@Suite("Instance shapes decode real DHIS2 shapes")
struct InstanceShapeTests {
    /// Parses `text` with Foundation, for comparing what a model writes back with its input.
    static func json(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// The grid of dhis2-api-reference.md §8.2 (`dimension=dx:s46m5MS0hxu&dimension=pe:202501;202502&
    /// filter=ou:ImspTQPwCqd`): no `visibleWidth`, `visibleHeaders`, `visibleRows`, `metadataHeaders` or
    /// `internalMetaData`, which DHIS2 does not serialise although the OpenAPI documents list them.
    static let analyticsGrid = """
        {
          "headers": [
            {"name": "dx", "column": "Data", "valueType": "TEXT", "type": "java.lang.String", "hidden": false, "meta": true},
            {"name": "pe", "column": "Period", "valueType": "TEXT", "type": "java.lang.String", "hidden": false, "meta": true},
            {"name": "value", "column": "Value", "valueType": "NUMBER", "type": "java.lang.Double", "hidden": false, "meta": false}
          ],
          "metaData": {
            "items": {
              "s46m5MS0hxu": {"name": "BCG doses given"},
              "202501": {"name": "January 2025"},
              "202502": {"name": "February 2025"},
              "ImspTQPwCqd": {"name": "Sierra Leone"},
              "dx": {"name": "Data"}, "pe": {"name": "Period"}, "ou": {"name": "Organisation unit"}
            },
            "dimensions": {"dx": ["s46m5MS0hxu"], "pe": ["202501", "202502"], "ou": ["ImspTQPwCqd"], "co": []}
          },
          "rowContext": {},
          "rows": [["s46m5MS0hxu", "202501", "4173"], ["s46m5MS0hxu", "202502", "3988"]],
          "width": 3, "height": 2, "headerWidth": 3
        }
        """

    @Test("the analytics grid of the reference (§8.2) decodes strictly into Grid and writes back unchanged")
    func analyticsGridDecodes() throws {
        let grid = try Grid(jsonValue: try Self.json(Self.analyticsGrid), strict: true)
        #expect(grid.width == 3)
        #expect(grid.height == 2)
        #expect(grid.headerWidth == 3)
        #expect(grid.visibleWidth == nil)
        #expect(grid.visibleHeaders == nil)
        #expect(grid.unknownMembers.isEmpty)
        let headers = try #require(grid.headers)
        #expect(headers.map(\.name) == ["dx", "pe", "value"])
        #expect(headers.map(\.column) == ["Data", "Period", "Value"])
        #expect(headers.map(\.valueType) == [.text, .text, .number])
        #expect(headers.map(\.type) == ["java.lang.String", "java.lang.String", "java.lang.Double"])
        #expect(headers.map(\.meta) == [true, true, false])
        #expect(headers.map(\.hidden) == [false, false, false])
        #expect(grid.rows?[1] == [.string("s46m5MS0hxu"), .string("202502"), .string("3988")])
        #expect(grid.metaData?["dimensions"]?["pe"] == .array([.string("202501"), .string("202502")]))
        #expect(try Self.json(grid.jsonString()) == (try Self.json(Self.analyticsGrid)))
    }

    @Test("a grid header with the optional members of §8.2 (optionSet, legendSet, programStage, ...) decodes strictly")
    func gridHeaderOptionalMembers() throws {
        let text = """
            {"name": "A03MvHHogjR.UXz7xuGCEhU", "column": "Weight", "valueType": "NUMBER", "type": "java.lang.Double",
             "hidden": false, "meta": true, "optionSet": "fUS7fsVTVtV", "legendSet": "fqs276KXCXi",
             "programStage": "A03MvHHogjR", "repeatableStageParams": "startIndex:0 count:1", "stageOffset": -1}
            """
        let header = try GridHeader(jsonValue: try Self.json(text), strict: true)
        #expect(header.valueType == .number)
        #expect(header.optionSet == "fUS7fsVTVtV")
        #expect(header.legendSet == "fqs276KXCXi")
        #expect(header.programStage == "A03MvHHogjR")
        #expect(header.repeatableStageParams == "startIndex:0 count:1")
        #expect(header.stageOffset == -1)
        #expect(header.unknownMembers.isEmpty)
    }

    @Test("a grid without width still fails to decode: the members real grids always carry stay required")
    func gridWithoutWidthFails() throws {
        #expect(throws: (any Error).self) {
            try Grid(jsonString: #"{"headers": [], "rows": [], "height": 0, "headerWidth": 0}"#)
        }
    }

    @Test("a tracker attribute as a client sends it (attribute and value, no valueType) decodes and writes back as sent")
    func trackerAttributeWithoutValueType() throws {
        let text = #"{"attribute":"w75KJ2mc4zz","value":"Anna"}"#
        let attribute = try TrackerAttribute(jsonValue: try Self.json(text), strict: true)
        #expect(attribute.attribute == "w75KJ2mc4zz")
        #expect(attribute.value == "Anna")
        #expect(attribute.valueType == nil)
        #expect(attribute.jsonString() == text)

        var built = TrackerAttribute()
        built.attribute = "w75KJ2mc4zz"
        built.value = "Anna"
        #expect(built.jsonString() == text)
    }

    @Test("a tracked entity exported with fields=trackedEntity,attributes[attribute,value] decodes")
    func trackedEntityWithSelectedAttributeFields() throws {
        let text = """
            {"trackedEntity": "OeuW9TKOrzO",
             "attributes": [{"attribute": "gskc6FLk1pQ", "value": "Ingrid"}, {"attribute": "lZGmxYbs97q", "value": "4711"}]}
            """
        let entity = try TrackerTrackedEntity(jsonValue: try Self.json(text), strict: true)
        #expect(entity.attributes?.map(\.value) == ["Ingrid", "4711"])
        #expect(entity.attributes?.allSatisfy { $0.valueType == nil } == true)
    }

    @Test("an enrollment without status (DHIS2 imports it as ACTIVE) decodes and writes back without status")
    func enrollmentWithoutStatus() throws {
        let text = #"{"enrolledAt":"2025-03-06","enrollment":"MNWZ6hnuhSw","orgUnit":"DiszpKrYNg8","program":"IpHINAT79UW"}"#
        let enrollment = try TrackerEnrollment(jsonValue: try Self.json(text), strict: true)
        #expect(enrollment.status == nil)
        #expect(enrollment.program == "IpHINAT79UW")
        #expect(enrollment.jsonString() == text)

        let active = try TrackerEnrollment(jsonString: #"{"enrollment":"MNWZ6hnuhSw","status":"ACTIVE"}"#)
        #expect(active.status == .active)
    }

    @Test("the job notifications of the reference (§10.2), which carry no dataType, decode strictly")
    func jobNotificationWithoutDataType() throws {
        let text = """
            {"uid": "hpiaeMy7wFX", "id": "hpiaeMy7wFX", "level": "INFO", "category": "ANALYTICS_TABLE",
             "time": "2026-05-15T10:31:14.595", "message": "Analytics tables updated: 00:01:14.472", "completed": true}
            """
        let notification = try JobNotification(jsonValue: try Self.json(text), strict: true)
        #expect(notification.level == .info)
        #expect(notification.category.rawValue == "ANALYTICS_TABLE")
        #expect(notification.dataType == nil)
        #expect(notification.completed == true)
        #expect(try Self.json(notification.jsonString()) == (try Self.json(text)))
    }
}
