import Lessons

/// A student's answers, marked: as text a student can read, or as JSON.
public enum AnswerReport {
  /// One block per answer, then a summary line.
  public static func text(_ review: AnswerReview, lesson: ExecutedLesson, answersFile: String) -> String {
    let format = NumberFormat(decimals: lesson.lesson.settings.decimals)
    func number(_ x: Double) -> String { format.short(x).replacingOccurrences(of: "−", with: "-") }
    var out = "Your answers in \(answersFile), marked against \(lesson.lesson.file)\n"
    for pass in review.passes {
      out += "  \(describe(pass))\n"
    }
    out += "\n"
    let width = min(review.items.map { $0.line.name.count + $0.line.text.count + 3 }.max() ?? 0, 40)
    for item in review.items {
      let statement = "\(item.line.name) = \(item.line.text)"
      let padded = statement + String(repeating: " ", count: max(width - statement.count, 0))
      switch item.verdict {
      case .right:
        out += "  ✓ right       \(statement)\n"
      case .consistent:
        out += "  ~ consistent  \(padded)  consistent with your earlier value\(item.offBecause.count == 1 ? "" : "s") of \(list(item.offBecause))\n"
        out += "                the correct value is \(number(item.correct)); yours follows correctly from your \(list(item.offBecause))\n"
        if !item.slips.isEmpty { out += "                the slip to look for: \(list(item.slips))\n" }
      case .wrong:
        out += "  ✗ wrong       \(padded)  the correct value is \(number(item.correct))\n"
        if item.offBecause.isEmpty {
          out += "                the values it is computed from are right (or not given), so the slip is in this step\n"
        } else {
          out += "                \(item.line.name) is off because \(list(item.offBecause)) \(item.offBecause.count == 1 ? "is" : "are") off"
          if let yours = item.fromYourValues {
            out += "; from your own values it would be \(number(yours))"
          }
          out += "\n"
          let earlier = item.slips.filter { $0 != item.line.name }
          if !earlier.isEmpty { out += "                the first slip to look for: \(list(earlier))\n" }
        }
      }
    }
    out += "\n\(review.items.count) answer\(review.items.count == 1 ? "" : "s"): \(review.right) right, \(review.consistent) consistent with your earlier values, \(review.wrong) wrong\n"
    out += "(an answer is \(AnswerTolerance.summary))\n"
    return out
  }

  static func list(_ names: [String]) -> String {
    switch names.count {
    case 0: return ""
    case 1: return names[0]
    default: return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }
  }

  static func describe(_ pass: Pass) -> String {
    var parts = ["forward"]
    if pass.loss != nil { parts.append("error") }
    if pass.backward != nil { parts.append("backward") }
    if pass.update != nil { parts.append("update") }
    let lines = pass.lines.count == 1 ? "line \(pass.lines[0])" : "lines \(pass.lines.first!)–\(pass.lines.last!)"
    return "values of the pass at \(lines) (network \(pass.networkName): \(parts.joined(separator: ", ")))"
  }

  /// `{"format": "lesson-answers", "version": 1, …}`: every answer with its verdict.
  public static func json(_ review: AnswerReview, lesson: ExecutedLesson, answersFile: String) -> String {
    let passes: [JSONValue] = review.passes.map { pass in
      .object([
        ("network", .string(pass.networkName)),
        ("lines", .array(pass.lines.map { .number(Double($0)) })),
        ("has_loss", .bool(pass.loss != nil)), ("has_backward", .bool(pass.backward != nil)), ("has_update", .bool(pass.update != nil)),
      ])
    }
    let items: [JSONValue] = review.items.map { item in
      .object([
        ("name", .string(item.line.name)),
        ("report_name", .string(item.canonicalName)),
        ("line", .number(Double(item.line.location.line))),
        ("pass", .number(Double(item.passIndex + 1))),
        ("given", .number(item.line.value)),
        ("given_text", .string(item.line.text)),
        ("correct", .number(item.correct)),
        ("verdict", .string(item.verdict.rawValue)),
        ("from_your_values", item.fromYourValues.map(JSONValue.number) ?? .null),
        ("off_because", .strings(item.offBecause)),
        ("slips", .strings(item.slips)),
      ])
    }
    let document = JSONValue.object([
      ("format", .string("lesson-answers")), ("version", .number(1)),
      ("lesson", .string(lesson.lesson.file)), ("answers_file", .string(answersFile)),
      ("tolerance", .string(AnswerTolerance.summary)),
      ("passes", .array(passes)),
      ("answers", .array(items)),
      ("summary", .object([("right", .number(Double(review.right))), ("consistent", .number(Double(review.consistent))), ("wrong", .number(Double(review.wrong)))])),
    ])
    return document.rendered() + "\n"
  }
}
