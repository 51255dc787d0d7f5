import Foundation
import Lessons
import Reports
import TestSupport
import Testing

/// Each of the 660 JAX cases (reference/generate_layers.py) written as a lesson, as an author
/// would write it (nested weights, grid inputs), run through the parser and runner, and read
/// back from the JSON trace: the lesson format and the trace mean what the engine computes.
@Suite("Typed-layer lessons through the JSON trace against JAX")
struct LayerLessonTraceTests {
  nonisolated(unsafe) static let cases: [[String: Any]] = {
    let url = Repository.root.appendingPathComponent("Tests/BackpropTests/Fixtures/layer-cases.json")
    guard let data = try? Data(contentsOf: url), let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
    return top["cases"] as? [[String: Any]] ?? []
  }()

  static func flat(_ any: Any?) -> [Double] {
    if let n = any as? NSNumber { return [n.doubleValue] }
    return (any as? [Any] ?? []).flatMap(flat)
  }

  /// `flat` written as YAML lists nested by `shape`.
  static func nested(_ flat: [Double], _ shape: [Int]) -> String {
    guard shape.count > 1 else { return "[" + flat.map { "\($0)" }.joined(separator: ", ") + "]" }
    let step = shape.dropFirst().reduce(1, *)
    return "[" + (0..<shape[0]).map { nested(Array(flat[($0 * step)..<(($0 + 1) * step)]), Array(shape.dropFirst())) }.joined(separator: ", ") + "]"
  }

  static func list(_ any: Any?) -> String { "[" + flat(any).map { String(Int($0)) }.joined(separator: ", ") + "]" }

  /// The case as a lesson: its network, its data, one `step`.
  static func lesson(_ c: [String: Any]) -> String {
    var shape = flat(c["input_shape"]).map { Int($0) }
    var text = "---\nformat: 2\n---\n\n```network case\ninput-shape: \(list(c["input_shape"]))\nlayers:\n"
    for layer in c["layers"] as? [[String: Any]] ?? [] {
      let type = layer["type"] as? String ?? "?"
      let parameters = (layer["parameters"] as? [Any] ?? []).map(flat)
      var lines = ["type: \(type)"]
      if let a = layer["activation"] as? String { lines.append("activation: \(a)") }
      if let slope = layer["slope"] as? NSNumber { lines.append("slope: \(slope.doubleValue)") }
      switch type {
      case "conv1d", "conv2d":
        let out = layer["out_channels"] as? Int ?? 1
        let kernel = flat(layer["kernel"]).map { Int($0) }, stride = flat(layer["stride"]).map { Int($0) }, padding = flat(layer["padding"]).map { Int($0) }
        lines += ["channels: \(out)", "kernel: \(list(layer["kernel"]))", "stride: \(list(layer["stride"]))", "padding: \(list(layer["padding"]))",
          "weights: \(nested(parameters[0], [out, shape[0]] + kernel))", "biases: \(nested(parameters[1], [out]))"]
        var sizes: [Int] = []
        for d in kernel.indices {
          let padded: Int = shape[1 + d] + 2 * padding[d]
          sizes.append((padded - kernel[d]) / stride[d] + 1)
        }
        shape = [out] + sizes
      case "maxpool", "avgpool":
        let size = flat(layer["size"]).map { Int($0) }, stride = flat(layer["stride"]).map { Int($0) }
        lines += ["size: \(list(layer["size"]))", "stride: \(list(layer["stride"]))"]
        var sizes: [Int] = []
        for d in size.indices { sizes.append((shape[1 + d] - size[d]) / stride[d] + 1) }
        shape = [shape[0]] + sizes
      case "flatten": shape = [shape.reduce(1, *)]
      case "rnn":
        let hidden = layer["hidden"] as? Int ?? 1
        let sequence = layer["returns"] as? String == "sequence"
        lines += ["hidden: \(hidden)", "returns: \(sequence ? "sequence" : "last")", "input-weights: \(nested(parameters[0], [hidden, shape[1]]))",
          "hidden-weights: \(nested(parameters[1], [hidden, hidden]))", "biases: \(nested(parameters[2], [hidden]))"]
        shape = sequence ? [shape[0], hidden] : [hidden]
      default:  // dense
        let neurons = layer["neurons"] as? Int ?? 1
        lines = ["neurons: \(neurons)"] + lines.dropFirst()
        lines += ["weights: \(nested(parameters[0], [neurons, shape[0]]))", "biases: \(nested(parameters[1], [neurons]))"]
        shape = [neurons]
      }
      text += "  - " + lines.joined(separator: "\n    ") + "\n"
    }
    text += "loss: \(c["loss"] as? String ?? "?")\nreduction: \(c["reduction"] as? String ?? "mean")\nlearning-rate: \((c["learning_rate"] as? NSNumber)?.doubleValue ?? 0)\n```\n\n"
    let inputShape = flat(c["input_shape"]).map { Int($0) }
    let inputs = (c["inputs"] as? [Any] ?? []).map { nested(flat($0), inputShape) }
    let targets = (c["targets"] as? [Any] ?? []).map { nested(flat($0), [flat($0).count]) }
    text += "```data\ninputs: [\(inputs.joined(separator: ", "))]\ntargets: [\(targets.joined(separator: ", "))]\n```\n\n```step\n```\n"
    return text
  }

  @Test("every case's trace holds JAX's values to 1e-10", arguments: ["conv1d", "conv2d", "maxpool", "avgpool", "flatten", "rnn"])
  func traces(kind: String) throws {
    let cases = Self.cases.filter { $0["kind"] as? String == kind }
    try #require(cases.count >= 100, "\(kind): \(cases.count) cases")
    var compared = 0
    for c in cases {
      let id = c["id"] as? String ?? "?"
      let text = Self.lesson(c)
      let outcome = LessonRunner.run(source: text, file: "\(id).md", variant: nil, loader: { _ in "" })
      guard let run = outcome.run, outcome.diagnostics.allSatisfy({ $0.severity != .error }) else {
        Issue.record("\(id) does not run: \(outcome.diagnostics)\n\(text)")
        continue
      }
      let trace = try #require(try JSONSerialization.jsonObject(with: Data(JSONTrace.render(run).utf8)) as? [String: Any])
      let step = try #require((trace["steps"] as? [[String: Any]])?.first { $0["kind"] as? String == "step" })
      let expected = c["expected"] as? [String: Any] ?? [:]
      func same(_ a: [Double], _ b: [Double], _ what: String) {
        #expect(a.count == b.count, "\(id) \(what): \(a.count) values, JAX \(b.count)")
        for (x, y) in zip(a, b) {
          compared += 1
          #expect(isClose(x, y, relative: 1e-10, absolute: 1e-13), "\(id) \(what): trace \(x), JAX \(y)")
        }
      }
      let forward = (step["forward"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
      let backward = (step["backward"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
      let update = (step["update"] as? [String: Any])?["layers"] as? [[String: Any]] ?? []
      for (l, layer) in (expected["layers"] as? [[String: Any]] ?? []).enumerated() {
        if !(layer["z"] is NSNull) { same(Self.flat(forward[l]["z"]), Self.flat(layer["z"]), "layer \(l + 1) z") }
        same(Self.flat(forward[l]["a"]), Self.flat(layer["a"]), "layer \(l + 1) a")
        same(Self.flat(backward[l]["a_grad"]), Self.flat(layer["a_grad"]), "layer \(l + 1) a_grad")
        if !(layer["delta"] is NSNull) { same(Self.flat(backward[l]["delta"]), Self.flat(layer["delta"]), "layer \(l + 1) delta") }
        let gradients = backward[l]["gradients"] as? [String: Any] ?? [:]
        let after = (update[l]["after"] as? [String: Any]) ?? [:]
        let order = ["weights", "input_weights", "hidden_weights", "biases"].filter { gradients[$0] != nil }
        let jaxGradients = (expected["gradients"] as? [Any])?[l] as? [Any] ?? []
        let jaxAfter = (expected["after"] as? [Any])?[l] as? [Any] ?? []
        #expect(order.count == jaxGradients.count, "\(id) layer \(l + 1): \(order)")
        for (p, key) in order.enumerated() where p < jaxGradients.count {
          same(Self.flat(gradients[key]), Self.flat(jaxGradients[p]), "layer \(l + 1) \(key) gradient")
          same(Self.flat(after[key]), Self.flat(jaxAfter[p]), "layer \(l + 1) \(key) after")
        }
      }
      let loss = step["loss"] as? [String: Any] ?? [:]
      same(Self.flat(loss["E"]), Self.flat(expected["E"]), "E")
      same(Self.flat(loss["per_sample"]), Self.flat(expected["per_sample"]), "per_sample")
    }
    #expect(compared > cases.count * 20)
  }

  @Test("reports, worksheets and keys of the cases render, and every working line adds up", arguments: ["conv1d", "conv2d", "maxpool", "avgpool", "flatten", "rnn"])
  func reports(kind: String) throws {
    // Every fifth case: the report's working is evaluated as arithmetic, which takes time.
    let cases = Self.cases.filter { $0["kind"] as? String == kind }.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
    try #require(cases.count >= 20)
    var lines = 0
    for c in cases {
      let id = c["id"] as? String ?? "?"
      let outcome = LessonRunner.run(source: Self.lesson(c), file: "\(id).md", variant: nil, loader: { _ in "" })
      let run = try #require(outcome.run, "\(id): \(outcome.diagnostics)")
      let tally = WorkingFormulaTests.checkWorking(of: run, id)
      lines += tally.lines
      let (blanks, problems) = run.blanks()
      #expect(problems.isEmpty, "\(id): \(problems)")
      let (sheet, _) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: id))
      let key = HTMLReport.render(run, worksheet: Worksheet(kind: .key, blanks: blanks, salt: id))
      #expect(sheet.contains("class=\"blank\"") && key.contains("key-answer"), "\(id): no boxes")
      // What the lesson gives reads on the worksheet as in the report.
      let report = HTMLReport.render(run)
      for kind in ["network", "data"] {
        #expect(ClassSetTests.sections(kind, of: sheet) == ClassSetTests.sections(kind, of: report), "\(id): a \(kind) block differs from the report's")
      }
    }
    #expect(lines > cases.count * 5, "\(kind): \(lines) working lines evaluated")
  }
}
