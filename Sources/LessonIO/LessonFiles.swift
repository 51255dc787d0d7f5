import Foundation
import Lessons

/// Everything the tool does with the file system: finding lessons, reading data beside them,
/// and writing reports so that a failed write never replaces a good report.
public enum LessonFiles {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
  }

  /// A path as given, or a bare name looked up under `lessons/` (with or without `.md`).
  public static func locate(_ argument: String) throws -> URL {
    let fm = FileManager.default
    var candidates = [argument]
    if !argument.contains("/") {
      candidates += ["lessons/\(argument)", "lessons/\(argument).md"]
    }
    if !argument.hasSuffix(".md") { candidates.append(argument + ".md") }
    for c in candidates {
      var isDirectory: ObjCBool = false
      if fm.fileExists(atPath: c, isDirectory: &isDirectory), !isDirectory.boolValue {
        return URL(fileURLWithPath: c).standardizedFileURL
      }
    }
    throw Failure(description: "no lesson at `\(argument)`" + (argument.contains("/") ? "" : " (looked in the current folder and in lessons/)"))
  }

  /// `output/` beside the `lessons/` folder the lesson is in, or in the current folder.
  public static func defaultOutput(for lesson: URL) -> URL {
    var folder = lesson.deletingLastPathComponent()
    while folder.path != "/" {
      if folder.lastPathComponent == "lessons" { return folder.deletingLastPathComponent().appendingPathComponent("output") }
      folder = folder.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("output")
  }

  /// A file that is not UTF-8: where its first bad byte is, counted as an editor counts.
  public struct NotUTF8: Error, CustomStringConvertible {
    public var path: String
    public var byte: UInt8
    /// 1-based; the column counts the characters before the byte on its line.
    public var line: Int
    public var column: Int
    /// The text with each bad byte as U+FFFD, so the caret lines up under the right column.
    public var lossyText: String

    public var description: String { "`\(path)` is not UTF-8 text: byte 0x\(String(byte, radix: 16, uppercase: true)) at line \(line), column \(column)" }

    public func diagnostic(file: String) -> Diagnostic {
      .error("this file is not UTF-8 text: byte 0x\(String(byte, radix: 16, uppercase: true)) cannot start or continue a character here", at: SourceLocation(file: file, line: line, column: column),
        notes: ["save the lesson as UTF-8 (it may be Latin-1 or Windows-1252); every later problem is reported once it reads"])
    }
  }

  public static func read(_ url: URL) throws -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw Failure(description: "cannot read `\(url.path)`")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw notUTF8(data, path: url.path)
    }
    return text
  }

  /// Finds the first byte that is not part of a well-formed UTF-8 character.
  public static func notUTF8(_ data: Data, path: String) -> NotUTF8 {
    let bytes = [UInt8](data)
    var iterator = bytes.makeIterator()
    var parser = Unicode.UTF8.ForwardParser()
    var offset = 0, line = 1, column = 1
    loop: while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded):
        let scalar = Unicode.UTF8.decode(encoded)
        offset += encoded.count
        // A CR LF or lone CR ends a line as cmark reads it; the LF of a CR LF is not a column.
        if scalar == "\n" {
          if offset < 2 || bytes[offset - 2] != 13 { line += 1 }
          column = 1
        } else if scalar == "\r" {
          line += 1
          column = 1
        } else {
          column += 1
        }
      case .error:
        break loop
      case .emptyInput:
        break loop
      }
    }
    return NotUTF8(path: path, byte: offset < bytes.count ? bytes[offset] : 0, line: line, column: column, lossyText: String(decoding: bytes, as: UTF8.self))
  }

  /// A loader for files a lesson names: relative paths inside the lesson's folder only.
  public static func loader(for lesson: URL) -> LessonRunner.Loader {
    let folder = lesson.deletingLastPathComponent().resolvingSymlinksInPath().standardizedFileURL
    return { path in
      guard !path.hasPrefix("/"), !path.hasPrefix("~") else {
        throw Failure(description: "data files are named relative to the lesson's folder, not by absolute path")
      }
      let target = folder.appendingPathComponent(path).resolvingSymlinksInPath().standardizedFileURL
      guard target.path.hasPrefix(folder.path + "/") else {
        throw Failure(description: "`\(path)` is outside the lesson's folder")
      }
      do {
        return try read(target)
      } catch let bad as NotUTF8 {
        // Named as the lesson names it, with the place in the data file to fix.
        throw Failure(description: "it is not UTF-8 text: byte 0x\(String(bad.byte, radix: 16, uppercase: true)) at line \(bad.line), column \(bad.column) of `\(path)`")
      }
    }
  }

  /// Writes through a temporary file in the same folder and a rename, so readers see the old
  /// report or the new one, never half of one.
  public static func writeAtomically(_ text: String, to url: URL) throws {
    let fm = FileManager.default
    let folder = url.deletingLastPathComponent()
    do {
      try fm.createDirectory(at: folder, withIntermediateDirectories: true)
    } catch {
      throw Failure(description: "cannot create `\(folder.path)`: \(error.localizedDescription)")
    }
    let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    // Plain POSIX writes: FileManager.createFile also fsyncs, which costs more than the whole run
    // of a small lesson; the rename below is what keeps readers from seeing half a report.
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { throw Failure(description: "cannot write `\(temporary.path)`") }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if n <= 0 { break }
      written += n
    }
    if close(descriptor) != 0 || written < bytes.count {
      try? fm.removeItem(at: temporary)
      throw Failure(description: "cannot write `\(temporary.path)`")
    }
    if rename(temporary.path, url.path) != 0 {
      try? fm.removeItem(at: temporary)
      throw Failure(description: "cannot replace `\(url.path)`")
    }
  }
}
