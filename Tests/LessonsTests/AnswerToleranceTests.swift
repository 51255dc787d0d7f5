import Foundation
import Lessons
import Testing

/// The rounding rule on its own: how many places an answer needs, and what it is then.
@Suite("Answer tolerance")
struct AnswerToleranceTests {
  func judge(_ written: String, _ correct: Double, _ rounding: Rounding = .standard) -> AnswerVerdict {
    AnswerTolerance.judge(written, Double(written)!, correct: correct, rounding: rounding)
  }

  @Test("the two answers from issue 13 are right under the default rounding")
  func issueNumbers() {
    #expect(judge("0.0100", 0.009954) == .right)
    #expect(judge("0.0005", 0.00046) == .right)
    #expect(judge("0.009954", 0.009954) == .right)
    #expect(judge("0.01", 0.009954) == .moreDigits)
    #expect(judge("0.0099", 0.009954) == .wrong)
    #expect(judge("0.0004", 0.00046) == .wrong)
  }

  @Test("significant figures alone ask for the 4th significant digit")
  func significantOnly() {
    let sig = Rounding(digits: 4, mode: .significant)
    #expect(judge("0.0100", 0.009954, sig) == .moreDigits)
    #expect(judge("0.009954", 0.009954, sig) == .right)
    #expect(judge("0.009950", 0.009954, sig) == .wrong)
    #expect(judge("0.0005", 0.00046, sig) == .moreDigits)
    #expect(judge("0.0004", 0.00046, sig) == .wrong)
    #expect(judge("0.0004600", 0.00046, sig) == .right)
    #expect(judge("1235", 1234.56, sig) == .right)
    #expect(judge("1230", 1234.56, sig) == .wrong)
  }

  @Test("decimals alone ask for that many decimals, whatever the size")
  func decimalsOnly() {
    let dec = Rounding(digits: 4, mode: .decimals)
    #expect(judge("0.0100", 0.009954, dec) == .right)
    #expect(judge("1234.5600", 1234.56, dec) == .right)
    #expect(judge("1234.56", 1234.56001, dec) == .moreDigits)
    #expect(judge("1234.6", 1234.56, dec) == .moreDigits)
    #expect(judge("1235", 1234.56, dec) == .wrong, "4 places short")
    #expect(judge("1234.5610", 1234.56, dec) == .wrong)
  }

  @Test("required places: decimals, significant figures, or the fewer of the two")
  func requiredPlaces() {
    let sig = Rounding(digits: 4, mode: .significant), dec = Rounding(digits: 4, mode: .decimals)
    for (value, significant) in [(0.593269992, 4), (0.082167041, 5), (0.009954, 6), (0.001, 6), (12.34, 2), (12345.6, 0), (-0.00046, 7), (1000, 0), (9.9996, 3)] {
      #expect(sig.requiredPlaces(for: value) == significant, "\(value)")
      #expect(dec.requiredPlaces(for: value) == 4, "\(value)")
      #expect(Rounding.standard.requiredPlaces(for: value) == min(4, significant), "\(value)")
    }
    #expect(Rounding.standard.requiredPlaces(for: 0) == 4)
    #expect(Rounding(digits: 2, mode: .significant).requiredPlaces(for: 0.5) == 2)
  }

  @Test("boundaries: half a unit passes, a hair more does not; rounding to fewer places is half away from zero")
  func boundaries() {
    #expect(judge("0.1234", 0.12345) == .right)
    #expect(judge("0.1235", 0.12345) == .right)
    #expect(judge("0.1233", 0.12345) == .wrong)
    #expect(judge("0.1234", 0.123451) == .wrong)
    // 0.125 is exact in binary, so rounding it to 2 decimals is a true tie.
    #expect(judge("0.13", 0.125) == .moreDigits)
    #expect(judge("0.12", 0.125) == .wrong)
    #expect(judge("-0.13", -0.125) == .moreDigits)
    #expect(judge("-0.12", -0.125) == .wrong)
  }

  @Test("negative values are judged as their magnitudes are")
  func negatives() {
    #expect(judge("-0.0088", -0.008771355) == .right)
    #expect(judge("-0.008771", -0.008771355) == .right)
    #expect(judge("-0.009", -0.008771355) == .moreDigits)
    #expect(judge("0.0088", -0.008771355) == .wrong)
    #expect(judge("-0.0087", -0.008771355) == .wrong)
    #expect(judge("−0.0088".replacingOccurrences(of: "−", with: "-"), -0.008771355) == .right)
  }

  @Test("more decimals than asked are still judged to the places asked; an exact answer is right however written")
  func extraDigitsAndExact() {
    #expect(judge("0.59327", 0.593269992) == .right)
    #expect(judge("0.59334", 0.593269992) == .wrong)
    #expect(judge("0.25", 0.25) == .right)
    #expect(judge("1", 1) == .right)
    #expect(judge("0", 0) == .right)
    // At most 3 places short: 0.6 for 0.5933 is right as far as it goes, 1 and 0 say nothing.
    #expect(judge("0.6", 0.593269992) == .moreDigits)
    #expect(judge("1", 0.593269992) == .wrong)
    #expect(judge("0", 0.00046) == .wrong)
    #expect(judge("0.000", 0.00046) == .moreDigits)
    #expect(judge("1.5e-3", 0.0015) == .right)
  }

  @Test("written decimals count what is written, exponent included")
  func writtenDecimals() {
    #expect(AnswerTolerance.writtenDecimals("0.3775") == 4)
    #expect(AnswerTolerance.writtenDecimals("12") == 0)
    #expect(AnswerTolerance.writtenDecimals("1.5e-3") == 4)
    #expect(AnswerTolerance.writtenDecimals("12e3") == 0)
  }

  @Test("agrees is judge == right under the standard rounding")
  func agrees() {
    for (written, correct) in [("0.5933", 0.593269992), ("0.593", 0.593269992), ("0.0100", 0.009954), ("0.01", 0.009954), ("0.0099", 0.009954)] {
      #expect(AnswerTolerance.agrees(written, Double(written)!, with: correct) == (judge(written, correct) == .right))
    }
  }

  @Test("rounding settings: the forms read, and what they mean")
  func parse() {
    #expect(Rounding.parse("4 decimals") == Rounding(digits: 4, mode: .decimals))
    #expect(Rounding.parse("3 decimal places") == Rounding(digits: 3, mode: .decimals))
    #expect(Rounding.parse("4 significant") == Rounding(digits: 4, mode: .significant))
    #expect(Rounding.parse("5 significant figures") == Rounding(digits: 5, mode: .significant))
    #expect(Rounding.parse("4 sig figs") == Rounding(digits: 4, mode: .significant))
    #expect(Rounding.parse("4 decimals or significant") == .standard)
    #expect(Rounding.parse("4 significant or decimals") == .standard)
    #expect(Rounding.parse("4 decimals or 4 significant figures") == .standard)
    #expect(Rounding.parse("  4   Decimals ") == Rounding(digits: 4, mode: .decimals))
    for bad in ["", "4", "four decimals", "0 decimals", "16 decimals", "4 decimals or 5 significant", "4 decimals or decimals", "4 digits", "4 decimals or", "decimals 4"] {
      #expect(Rounding.parse(bad) == nil, "\(bad)")
    }
  }

  @Test("descriptions name the rule in words")
  func descriptions() {
    #expect(Rounding.standard.description == "4 decimals or 4 significant figures")
    #expect(Rounding(digits: 1, mode: .decimals).description == "1 decimal")
    #expect(Rounding(digits: 3, mode: .significant).description == "3 significant figures")
  }
}
