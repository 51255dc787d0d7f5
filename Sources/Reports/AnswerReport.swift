import Lessons

/// A student's answers, marked: as text a student can read, or as JSON.
public enum AnswerReport {
  /// One block per answer, then a summary line.
  public static func text(_ review: AnswerReview, lesson: ExecutedLesson, answersFile: String) -> String {
    let format = NumberFormat(decimals: lesson.lesson.settings.decimals)
    func number(_ x: Double) -> String { format.short(x).replacingOccurrences(of: "−", with: "-") }
    var out = "Your answers in \(answersFile), marked against \(lesson.lesson.file)\n"
    for (pass, index) in zip(review.passes, review.passIndices) {
      out += "  pass \(index + 1): \(describe(pass))\n"
    }
    out += "\n"
    let width = min(review.items.map { $0.line.name.count + $0.line.text.count + 3 }.max() ?? 0, 40)
    // Answers by name, to say which earlier ones are only short of digits.
    var verdictOf: [String: AnswerReview.Verdict] = [:]
    for item in review.items { verdictOf[item.line.name] = item.verdict }
    let indent = String(repeating: " ", count: 17)
    for item in review.items {
      let statement = "\(item.line.name) = \(item.line.text)"
      let padded = statement + String(repeating: " ", count: max(width - statement.count, 0))
      let rounded = item.offBecause.filter { verdictOf[$0] == .moreDigits }
      let off = item.offBecause.filter { verdictOf[$0] != .moreDigits }
      switch item.verdict {
      case .right:
        out += "  ✓ right        \(statement)\n"
      case .moreDigits:
        let places = "\(item.requiredPlaces) decimal\(item.requiredPlaces == 1 ? "" : "s")"
        out += "  ≈ more digits  \(padded)  right as far as it goes: give \(review.rounding)"
        // Say how many decimals that is for this value, unless the rule counts decimals already.
        out += review.rounding.mode == .decimals ? "\n" : " (here \(places))\n"
      case .consistent:
        out += "  ~ consistent   \(padded)  consistent with your earlier value\(item.offBecause.count == 1 ? "" : "s") of \(list(item.offBecause))\n"
        out += "\(indent)the correct value is \(number(item.correct)); yours follows correctly from your \(list(item.offBecause))\n"
        if !item.slips.isEmpty { out += "\(indent)the slip to look for: \(list(item.slips))\n" }
        if item.slips.isEmpty, !rounded.isEmpty { out += "\(indent)carry more digits of \(list(rounded)) to reach the correct value\n" }
      case .wrong:
        out += "  ✗ wrong        \(padded)  the correct value is \(number(item.correct))\n"
        let earlier = item.slips.filter { $0 != item.line.name }
        if off.isEmpty && earlier.isEmpty {
          out += "\(indent)the values it is computed from are right (or not given)"
          if !rounded.isEmpty {
            out += ", or rounded (\(list(rounded)))"
            if let yours = item.fromYourValues { out += ": from your own values it would be \(number(yours))" }
          }
          out += ", so the slip is in this step\n"
        } else {
          out += "\(indent)\(item.line.name) is off because \(list(off)) \(off.count == 1 ? "is" : "are") off"
          if let yours = item.fromYourValues {
            out += "; from your own values it would be \(number(yours))"
          }
          out += "\n"
          if !earlier.isEmpty {
            out += "\(indent)the first slip to look for: \(list(earlier))\n"
          } else {
            // Upstream values are off only through rounding: the mistake is here.
            out += "\(indent)no earlier answer is wrong (\(list(off)) only \(off.count == 1 ? "follows" : "follow") from rounded values), so the slip is in this step\n"
          }
        }
      }
    }
    var counts = ["\(review.right) right"]
    if review.moreDigits > 0 { counts.append("\(review.moreDigits) right but short of digits") }
    counts += ["\(review.consistent) consistent with your earlier values", "\(review.wrong) wrong"]
    out += "\n\(review.items.count) answer\(review.items.count == 1 ? "" : "s"): \(counts.joined(separator: ", "))\n"
    out += "(an answer is \(AnswerTolerance.summary(review.rounding)))\n"
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
    if pass.hasLoss { parts.append("error") }
    if pass.hasBackward { parts.append("backward") }
    if pass.hasUpdate { parts.append("update") }
    let lines = pass.lines.count == 1 ? "line \(pass.lines[0])" : "lines \(pass.lines.first!)–\(pass.lines.last!)"
    return "values of the pass at \(lines) (network \(pass.networkName): \(parts.joined(separator: ", ")))"
  }

  /// `{"format": "lesson-answers", "version": 1, …}`: every answer with its verdict.
  public static func json(_ review: AnswerReview, lesson: ExecutedLesson, answersFile: String) -> String {
    let passes: [JSONValue] = zip(review.passes, review.passIndices).map { pass, index in
      .object([
        ("pass", .number(Double(index + 1))),
        ("network", .string(pass.networkName)),
        ("lines", .array(pass.lines.map { .number(Double($0)) })),
        ("has_loss", .bool(pass.hasLoss)), ("has_backward", .bool(pass.hasBackward)), ("has_update", .bool(pass.hasUpdate)),
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
        ("required_places", .number(Double(item.requiredPlaces))),
        ("from_your_values", item.fromYourValues.map(JSONValue.number) ?? .null),
        ("off_because", .strings(item.offBecause)),
        ("slips", .strings(item.slips)),
      ])
    }
    let document = JSONValue.object([
      ("format", .string("lesson-answers")), ("version", .number(1)),
      ("lesson", .string(lesson.lesson.file)), ("answers_file", .string(answersFile)),
      ("tolerance", .string(AnswerTolerance.summary(review.rounding))),
      ("rounding", .object([("digits", .number(Double(review.rounding.digits))), ("mode", .string(review.rounding.modeName))])),
      ("passes", .array(passes)),
      ("answers", .array(items)),
      ("summary", .object([("right", .number(Double(review.right))), ("more_digits", .number(Double(review.moreDigits))), ("consistent", .number(Double(review.consistent))), ("wrong", .number(Double(review.wrong)))])),
    ])
    return document.rendered() + "\n"
  }
}
