import Backprop

/// The parameters a pass starts from, to tell whether a step continues the open pass.
enum PassParameters: Equatable {
  case dense(Network)
  case layered(LayeredNetwork)
}

extension LessonRunner {
  /// Adds a pass step's values to the open pass when it continues it (same network, same
  /// parameters, same data, no update yet), else opens a new pass with them; an `update`
  /// alone cannot open one.
  mutating func notePass(_ pass: Pass, startsWith kind: Directive, network parameters: PassParameters, data: Dataset) {
    if let index = openPass, let start = openPassStart, passes[index].networkName == pass.networkName, start.parameters == parameters,
      start.data == data, !passes[index].hasUpdate
    {
      passes[index].absorb(pass)
      return
    }
    guard kind != .update else { return }
    passes.append(pass)
    openPass = passes.count - 1
    openPassStart = (parameters, data)
  }
}
