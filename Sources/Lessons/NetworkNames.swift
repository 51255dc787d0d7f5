import Backprop

/// The names a lesson uses for a network's inputs, neurons and parameters.
public struct NetworkNames: Sendable, Hashable {
  public var inputs: [String]
  /// neurons[l][j]: neuron j of layer l.
  public var neurons: [[String]]
  /// weights[l][j][i]: the weight into neuron j of layer l from input i of that layer.
  public var weights: [[[String]]]
  /// biases[l][j].
  public var biases: [[String]]
  /// Whether the lesson gave the weight and bias names (w1…w8) or they are the defaults.
  public var customWeights: [Bool]
  public var customBiases: [Bool]

  init(_ spec: NetworkSpec) {
    inputs = spec.inputs
    neurons = spec.layers.map(\.neurons)
    var previous = spec.inputs
    weights = []
    biases = []
    customWeights = []
    customBiases = []
    for layer in spec.layers {
      let from = previous
      weights.append(layer.weightNames ?? layer.neurons.map { n in from.map { "\(n).w.\($0)" } })
      biases.append(layer.biasNames ?? layer.neurons.map { "\($0).b" })
      customWeights.append(layer.weightNames != nil)
      customBiases.append(layer.biasNames != nil)
      previous = layer.neurons
    }
  }

  /// The names of layer l's inputs: the network inputs, or the neurons of the layer below.
  public func inputsOf(layer l: Int) -> [String] { l == 0 ? inputs : neurons[l - 1] }

  /// Every name a lesson can ask for, for suggestions.
  var allValueNames: [String] {
    var out = ["E"] + inputs
    for layer in neurons {
      for n in layer { out += ["\(n).z", "\(n).net", "\(n).a", "\(n).out", "\(n).delta", "\(n).a.grad", "\(n).t", "\(n).E", "\(n).b", "\(n).b.grad"] }
    }
    for name in weights.joined().joined() { out += [name, name + ".grad"] }
    for name in biases.joined() { out += [name, name + ".grad"] }
    return out
  }
}
