import Backprop

/// A network block with typed layers (`type: conv2d`, `maxpool`, `flatten`, `rnn`, `dense`)
/// over an input of `input-shape`: the layers as the engine runs them, and their names.
public struct LayeredSpec: Sendable {
  /// The network with its given or drawn parameters.
  public var network: LayeredNetwork
  /// The input's name: its values are `x[c,i,j]`.
  public var inputName: String
  public var layers: [TypedLayerNames]
}

/// What a lesson calls one typed layer and its parameters.
public struct TypedLayerNames: Sendable, Hashable {
  /// The `type:` as written (`conv2d`, `maxpool`, `dense`, …).
  public var type: String
  /// `c1`, `p1`, `f1`, `r1`; for a dense layer, its neurons' names are used instead.
  public var name: String
  /// A dense layer's neurons.
  public var neurons: [String] = []
  /// A dense layer's weight names, rows per neuron (default `o1.w[k]`).
  public var weightNames: [[String]]? = nil
  /// One name per output channel's kernel (a convolution), whose elements are `K[c,r,s]`, or
  /// `K[r,s]` with one input channel.
  public var kernelNames: [String]? = nil
  /// One name per bias (a dense layer's neurons, a convolution's output channels).
  public var biasNames: [String]? = nil
}
