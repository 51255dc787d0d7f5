import ArgumentParser
import Foundation

/// `lesson new NAME`: a starter lesson at lessons/NAME.md that runs as it is.
struct New: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Write a starter lesson, lessons/NAME.md, that runs (never overwrites).")

  @Argument(help: "The lesson's name: letters, digits, - and _.")
  var name: String

  @Option(help: "The folder that holds lessons/ (default: the current folder).")
  var folder: String = "."

  func validate() throws {
    let stem = name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    guard !stem.isEmpty, stem.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), stem.first != "-" else {
      throw ValidationError("a lesson name uses letters, digits, - and _ (it becomes lessons/NAME.md)")
    }
  }

  func run() throws {
    let stem = name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    let url = URL(fileURLWithPath: folder).appendingPathComponent("lessons").appendingPathComponent("\(stem).md")
    let fm = FileManager.default
    if fm.fileExists(atPath: url.path) {
      DiagnosticPrinter.printError("error: \(url.path) already exists; lesson new never overwrites a lesson")
      throw ExitCode(Status.fileError)
    }
    do {
      try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    } catch {
      DiagnosticPrinter.printError("error: cannot create `\(url.deletingLastPathComponent().path)`: \(error.localizedDescription)")
      throw ExitCode(Status.fileError)
    }
    // `create` with O_EXCL semantics: fails rather than replace a file that appeared meanwhile.
    let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else {
      DiagnosticPrinter.printError("error: cannot create `\(url.path)`")
      throw ExitCode(Status.fileError)
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    handle.write(Data(Self.starter(title: stem.replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")).utf8))
    try? handle.close()
    print("wrote \(url.path); run it with `lesson run \(stem)`")
  }

  static func starter(title: String) -> String {
    """
    ---
    title: \(title)
    notation: z-a
    decimals: 6
    ---

    # \(title)

    A starter lesson: one training example through a 2–2–1 network, forward, backward and
    one step of gradient descent. Change the numbers, the prose and the checks to make it yours.

    ```network
    inputs: [x1, x2]
    layers:
      - neurons: [h1, h2]
        activation: sigmoid
        weights: [[0.1, 0.4], [-0.3, 0.2]]
        biases: 0.1
      - neurons: [y]
        activation: sigmoid
        weights: [[0.5, -0.6]]
        biases: 0.2
    loss: half-squared-error
    learning-rate: 0.5
    ```

    ```data
    inputs:  [[1.0, 0.5]]
    targets: [[1.0]]
    ```

    ## Forward

    ```forward
    ```

    The hidden neuron $h_1$ receives $z_{h1}$ = {{h1.z}} and sends on $a_{h1}$ = {{h1.a}}; the
    network's output is {{y.a}}.

    ```check
    h1.z = 0.4
    h1.a = 0.598688
    y.a = 0.553379
    ```

    ```loss
    ```

    The error is $E = \\tfrac{1}{2}(t - a)^2$ = {{E}}.

    ## Backward

    ```backward
    ```

    The output's $\\delta_y$ = {{y.delta}}, so the weight from $h_1$ to $y$ has the gradient {{y.w.h1.grad}}.

    ```check
    y.delta = -0.110383
    y.w.h1.grad = -0.066085
    ```

    ## One step

    ```update
    ```

    ```loss
    ```

    After one update the error is {{E}}.

    ```check
    E = 0.089893
    ```

    A worksheet of this lesson (`lesson run NAME --handout`) leaves the values of the first
    forward, backward and update blank. To draw different numbers for each student, write a
    weight as `~U(-0.5, 0.5, 0.1)` and run with `--variant N`; the constraint below then
    keeps only variants whose first step lowers the error.

    ```constraints
    E.after < E.before
    ```
    """
  }
}
