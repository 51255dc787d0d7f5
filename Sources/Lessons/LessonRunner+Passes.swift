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
      if var layered = passes[index].layered, let new = pass.layered {
        if let l = new.loss { layered.loss = l }
        if let b = new.backward { layered.backward = b }
        if let u = new.update { layered.update = u }
        passes[index].layered = layered
      } else {
        if let l = pass.loss { passes[index].loss = l }
        if let b = pass.backward { passes[index].backward = b }
        if let u = pass.update { passes[index].update = u }
      }
      passes[index].lines.append(pass.lines[0])
      return
    }
    guard kind != .update else { return }
    passes.append(pass)
    openPass = passes.count - 1
    openPassStart = (parameters, data)
  }
}
