/// A parsed lesson: its settings and, in order, its prose and its blocks.
public struct Lesson: Sendable {
  public var file: String
  public var source: String
  public var settings: LessonSettings
  public var items: [LessonItem]

  /// The newest version of the lesson format this parser reads (it reads every older one too).
  /// Format 2: `binary-cross-entropy` averages over the outputs (torch.nn.BCELoss) unless
  /// `outputs: sum`; format 1 lessons keep its sum.
  public static let formatVersion = 2
}

public enum Notation: String, Sendable, Hashable, CaseIterable {
  /// z for the net input, a for the activation.
  case za = "z-a"
  /// net and out, as the best-known worked example writes them.
  case netOut = "net-out"

  public var net: String { self == .za ? "z" : "net" }
  public var out: String { self == .za ? "a" : "out" }
}

/// Front-matter settings.
public struct LessonSettings: Sendable, Hashable {
  public var title: String?
  public var notation: Notation = .za
  /// Decimals shown for values in tables and inline references.
  public var decimals: Int = 9
  /// The format the lesson was written for: 1 unless its front matter says `format: 2`.
  public var format: Int = 1
  /// How students round their answers (`rounding:`): what `lesson check --answers` and the
  /// worksheet boxes accept as right.
  public var rounding: Rounding = .standard
}

public enum LessonItem: Sendable {
  case prose(MarkdownNode)
  case block(LessonBlock)
}

/// A block that acts on a network: the kinds a ``DirectiveResult`` can have.
public enum Directive: String, Sendable, CaseIterable {
  case forward, loss, backward, update, step, train, gradcheck

  /// Whether it computes values of one pass (a forward pass, its error, backward pass or
  /// update), as a student works them by hand; `train` and `gradcheck` do not.
  public var isPassStep: Bool {
    switch self {
    case .forward, .loss, .backward, .update, .step: true
    case .train, .gradcheck: false
    }
  }
}

/// A fenced block the lesson format gives a meaning to, decoded from its YAML body.
public struct LessonBlock: Sendable {
  public var kind: Kind
  /// The word after the kind in the info string: a network's name, or the network a directive acts on.
  public var argument: String?
  public var location: SourceLocation
  public var body: String
  public var content: Content

  public enum Kind: String, Sendable, CaseIterable {
    case network, data, forward, loss, backward, update, step, train, check, gradcheck, graph

    /// The directive a block of this kind is, if it is one.
    public var directive: Directive? {
      switch self {
      case .forward: .forward
      case .loss: .loss
      case .backward: .backward
      case .update: .update
      case .step: .step
      case .train: .train
      case .gradcheck: .gradcheck
      case .network, .data, .check, .graph: nil
      }
    }
  }

  public enum Content: Sendable {
    case network(NetworkSpec)
    case data(DataSpec)
    case directive(DirectiveSpec)
    case check([CheckSpec])
    case graph(GraphSpec)
    case invalid
  }
}
