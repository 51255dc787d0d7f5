import Foundation
import Lessons
import Reports
import TestSupport
import Testing

/// The lessons of typed layers against the values their numpy scripts wrote
/// (lessons/reference/NN-name.py → NN-name.json): every value of the lesson's pass, by the name
/// the lesson uses, and every parameter of the JSON trace, to 1e-10.
@Suite("Lessons against their committed reference values")
struct LessonReferenceTests {
  static let folder = Repository.lessons.appendingPathComponent("reference")
  static func references() -> [String] { Repository.files(in: folder, endingIn: ".json") }

  static func load(_ file: String) throws -> (lesson: String, values: [String: Double]) {
    let data = try Data(contentsOf: folder.appendingPathComponent(file))
    let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let values = try #require(top["values"] as? [String: NSNumber])
    return (try #require(top["lesson"] as? String), values.mapValues(\.doubleValue))
  }

  @Test("every value of the lesson's pass agrees with its reference", arguments: references())
  func pass(_ file: String) throws {
    let (lesson, values) = try Self.load(file)
    let run = try #require(try Repository.run(lesson).run)
    let pass = try #require(run.passes.first)
    #expect(values.count >= 20, "\(file) holds only \(values.count) values")
    for (name, expected) in values.sorted(by: { $0.key < $1.key }) {
      guard case .success(let q) = pass.quantity(named: name) else {
        Issue.record("\(lesson): the reference names `\(name)`, which the lesson's pass does not have")
        continue
      }
      let value = pass.value(q)
      #expect(isClose(value, expected, relative: 1e-10, absolute: 1e-13), "\(lesson) \(name): engine \(value), reference \(expected)")
    }
    // The reference covers every value a student computes in the pass.
    let named = Set(values.keys)
    // An updated parameter's plain name is its value after the step, which the script calls NAME.after.
    let missing = pass.computedQuantities.map(pass.name).filter { !named.contains($0) && !named.contains($0 + ".after") }
    #expect(missing.isEmpty, "\(lesson): no reference value for \(missing.prefix(8))")
  }

  @Test("the JSON trace's parameters agree with the reference", arguments: references())
  func trace(_ file: String) throws {
    let (lesson, values) = try Self.load(file)
    let run = try #require(try Repository.run(lesson).run)
    let json = JSONTrace.render(run)
    let top = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(top["version"] as? Int == 2)
    let steps = try #require(top["steps"] as? [[String: Any]])
    let backward = try #require(steps.first { $0["kind"] as? String == "backward" })
    let update = try #require(steps.first { $0["kind"] as? String == "update" })
    let gradients = try #require(backward["parameters"] as? [String: [String: Any]])
    let updated = try #require(update["parameters"] as? [String: [String: Any]])
    var compared = 0
    for (name, entry) in gradients {
      if let expected = values[name + ".grad"], let grad = entry["grad"] as? NSNumber {
        compared += 1
        #expect(isClose(grad.doubleValue, expected, relative: 1e-10, absolute: 1e-13), "\(lesson) trace \(name).grad")
      }
      if let expected = values[name + ".after"], let after = (updated[name]?["after"] as? NSNumber) {
        compared += 1
        #expect(isClose(after.doubleValue, expected, relative: 1e-10, absolute: 1e-13), "\(lesson) trace \(name).after")
      }
    }
    #expect(compared >= 8, "\(lesson): only \(compared) trace values compared")
    let loss = try #require((steps.first { $0["kind"] as? String == "loss" })?["loss"] as? [String: Any])
    #expect(isClose((loss["E"] as? NSNumber)?.doubleValue ?? .nan, values["E"] ?? .nan, relative: 1e-10))
  }
}
