import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@testable import Typesetting

// MARK: - Helpers

/// The elements of a parsed SVG document, in document order, with their attributes and the text
/// directly inside them; `nil` when XMLParser reports the markup is not well-formed.
private final class ParsedSVG: NSObject, XMLParserDelegate {
  struct Element {
    var name: String
    var attributes: [String: String]
    var text = ""
  }
  var elements: [Element] = []
  private var open: [Int] = []

  static func parse(_ svg: String) -> ParsedSVG? {
    let collector = ParsedSVG()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = collector
    return parser.parse() ? collector : nil
  }

  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) {
    open.append(elements.count)
    elements.append(Element(name: elementName, attributes: attributeDict))
  }

  func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
    open.removeLast()
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) {
    if let index = open.last { elements[index].text += string }
  }

  func named(_ name: String) -> [Element] { elements.filter { $0.name == name } }
  func withClass(_ name: String) -> [Element] {
    elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(name)) }
  }
}

private func occurrences(of needle: String, in haystack: String) -> Int {
  haystack.components(separatedBy: needle).count - 1
}

private let mazurLayers: [NetworkDiagram.Layer] = [
  .init(name: "input", neurons: [.init("i1", lines: ["0.05"]), .init("i2", lines: ["0.10"])]),
  .init(
    name: "hidden", neurons: [.init("h1", lines: ["a 0.593270"]), .init("h2", lines: ["a 0.596884"])],
    bias: "b1 0.35"),
  .init(name: "output", neurons: [.init("o1"), .init("o2")]),
]

private let mazur = NetworkDiagram(
  id: "n", title: "2-2-2", description: "Mazur", layers: mazurLayers,
  edgeLabels: [
    .init(layer: 0, from: 0, to: 0): ["w1 0.15"],
    .init(layer: 1, from: 1, to: 1): ["w8 0.55", "∂ 0.0822"],
  ])

private let threePoints = LineChart(
  id: "c", title: "Loss", description: "Three points",
  series: [.init(name: "loss", points: [.init(x: 0, y: 0.5), .init(x: 1, y: 0.25), .init(x: 2, y: 0.125)])],
  xLabel: "step", yLabel: "loss", width: 300, height: 200)

private let smallRegions = DecisionRegions(
  id: "r", title: "Regions", description: "Two by four",
  xRange: 0...4, yRange: 0...2,
  grid: [[0, 0, 1, 1], [2, 2, 2, -1]],
  samples: [
    .init(x: 0.5, y: 0.5, label: 0), .init(x: 3.5, y: 0.5, label: 1), .init(x: 1, y: 1.5, label: 2),
    .init(x: 9, y: 1, label: 0), .init(x: .nan, y: 1, label: 1),
  ],
  classNames: ["zero", "one", "two"])

// MARK: - Number formatting and escaping

@Test("coordinates have at most two decimals and no trailing zeros")
func coordinateFormatting() {
  #expect(SVG.number(12.5) == "12.5")
  #expect(SVG.number(3) == "3")
  #expect(SVG.number(3.10) == "3.1")
  #expect(SVG.number(143.125) == "143.13")
  #expect(SVG.number(-2.5) == "-2.5")
  #expect(SVG.number(-0.004) == "0")
  #expect(SVG.number(0.1 + 0.2) == "0.3")
  #expect(SVG.number(0.07) == "0.07")
  #expect(SVG.number(.nan) == "0")
  #expect(SVG.number(.infinity) == "0")
}

@Test("tick labels have fixed decimals and a real minus sign")
func fixedFormatting() {
  #expect(SVG.fixed(-5, decimals: 0) == "\u{2212}5")
  #expect(SVG.fixed(0, decimals: 1) == "0.0")
  #expect(SVG.fixed(0.2, decimals: 1) == "0.2")
  #expect(SVG.fixed(1000, decimals: 0) == "1000")
  #expect(SVG.fixed(0.00003, decimals: 5) == "0.00003")
  #expect(SVG.fixed(-0.25, decimals: 2) == "\u{2212}0.25")
}

@Test("escaping replaces the five XML specials and drops forbidden control characters")
func escaping() {
  #expect(SVG.escape(#"<a & 'b' "c">"#) == "&lt;a &amp; &#39;b&#39; &quot;c&quot;&gt;")
  #expect(SVG.escape("a\u{0}b\u{1B}c\td") == "abc\td")
  #expect(SVG.escape("δ 0.008774 ∂") == "δ 0.008774 ∂")
}

@Test("figure ids are reduced to characters safe in id and aria-labelledby")
func identifiers() {
  #expect(SVG.identifier("loss-1") == "loss-1")
  #expect(SVG.identifier("fig 1<x>") == "fig-1-x-")
  #expect(SVG.identifier("") == "fig")
  #expect(SVG.identifier("3d") == "fig-3d")
}

// MARK: - Nice ticks

@Test("Heckbert's nice numbers round to 1, 2, 5 or 10 times a power of ten")
func niceNumbers() {
  #expect(NiceTicks.niceNumber(0.25, rounding: true) == 0.2)
  #expect(NiceTicks.niceNumber(0.125, rounding: true) == 0.1)
  #expect(NiceTicks.niceNumber(0.29997, rounding: false) == 0.5)
  #expect(NiceTicks.niceNumber(7, rounding: true) == 10)
  #expect(NiceTicks.niceNumber(1000, rounding: false) == 1000)
  #expect(NiceTicks.niceNumber(1001, rounding: false) == 2000)
  #expect(NiceTicks.niceNumber(0.00004, rounding: true) == 0.00005)
}

@Test("linear ticks for 0…1 step by 0.2")
func linearTicksUnit() {
  let ticks = NiceTicks.linear(min: 0, max: 1, count: 5)
  #expect(ticks.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
  #expect(ticks.step == 0.2)
  #expect(ticks.decimals == 1)
  #expect(ticks.values.map(ticks.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
}

@Test("linear ticks for 0.00003…0.3 are exact multiples of 0.1")
func linearTicksSmall() {
  let ticks = NiceTicks.linear(min: 0.00003, max: 0.3, count: 5)
  #expect(ticks.values == [0, 0.1, 0.2, 0.3])
  #expect(ticks.step == 0.1)
  #expect(ticks.decimals == 1)
}

@Test("linear ticks cover negative ranges and large steps without decimals")
func linearTicksOther() {
  let mixed = NiceTicks.linear(min: -3.7, max: 12.2, count: 5)
  #expect(mixed.values == [-5, 0, 5, 10, 15])
  #expect(mixed.values.map(mixed.label) == ["\u{2212}5", "0", "5", "10", "15"])
  let iterations = NiceTicks.linear(min: 0, max: 1000, count: 5)
  #expect(iterations.values == [0, 200, 400, 600, 800, 1000])
  #expect(iterations.decimals == 0)
  let tiny = NiceTicks.linear(min: 0.00012, max: 0.00047, count: 5)
  #expect(tiny.step == 0.0001)
  #expect(tiny.decimals == 4)
  #expect(tiny.values.map(tiny.label) == ["0.0001", "0.0002", "0.0003", "0.0004", "0.0005"])
}

@Test("linear ticks accept reversed, equal and non-finite bounds")
func linearTicksEdgeCases() {
  #expect(NiceTicks.linear(min: 1, max: 0).values == NiceTicks.linear(min: 0, max: 1).values)
  #expect(NiceTicks.linear(min: 0, max: 0).values == [-1, -0.5, 0, 0.5, 1])
  let single = NiceTicks.linear(min: 5, max: 5)
  #expect(single.values.first! <= 5 && single.values.last! >= 5 && single.values.count > 1)
  #expect(NiceTicks.linear(min: .nan, max: 1).values == NiceTicks.linear(min: 0, max: 1).values)
  #expect(NiceTicks.linear(min: 0, max: 1, count: 0).values.count >= 2)
}

@Test("log ticks for 1…1e6 are the seven powers of ten without minor ticks")
func logTicksWide() {
  let ticks = NiceTicks.logarithmic(min: 1, max: 1e6)
  #expect(ticks.majorExponents == Array(0...6))
  #expect(ticks.major == [1, 10, 100, 1000, 10000, 100000, 1000000])
  #expect(ticks.minor.isEmpty)
  #expect(ticks.lower == 1 && ticks.upper == 1e6)
}

@Test("log ticks over few decades add minor ticks at 2…9 times each power")
func logTicksNarrow() {
  let ticks = NiceTicks.logarithmic(min: 0.002, max: 0.7)
  #expect(ticks.lowerExponent == -3)
  #expect(ticks.upperExponent == 0)
  #expect(ticks.major == [0.001, 0.01, 0.1, 1])
  #expect(ticks.minor.count == 24)
  #expect(ticks.minor.first == 0.002)
  #expect(ticks.minor.contains(0.05))
  #expect(ticks.minor.last == 0.9)
}

@Test("log ticks over many decades label every k-th power, including 10⁰")
func logTicksMany() {
  let ticks = NiceTicks.logarithmic(min: 3e-13, max: 500)
  #expect(ticks.lowerExponent == -13 && ticks.upperExponent == 3)
  #expect(ticks.majorExponents == [-12, -10, -8, -6, -4, -2, 0, 2])
}

@Test("log ticks replace non-positive bounds and keep at least one decade")
func logTicksEdgeCases() {
  #expect(NiceTicks.logarithmic(min: 0, max: 100).majorExponents == [1, 2])
  #expect(NiceTicks.logarithmic(min: 0.5, max: -3).majorExponents == [-1, 0, 1])
  #expect(NiceTicks.logarithmic(min: 1, max: 1).majorExponents == [0, 1])
  #expect(NiceTicks.logarithmic(min: -1, max: .nan).majorExponents == [0, 1])
  #expect(NiceTicks.logarithmic(min: 0.001, max: 0.001).majorExponents == [-3, -2])
}

@Test("powers of ten are labelled with Unicode superscripts")
func powerLabels() {
  #expect(NiceTicks.powerOfTenLabel(-3) == "10⁻³")
  #expect(NiceTicks.powerOfTenLabel(0) == "10⁰")
  #expect(NiceTicks.powerOfTenLabel(12) == "10¹²")
}

// MARK: - Network diagram

@Test("a 2-2-2 diagram draws its neurons, value lines, bias and labelled edges")
func networkFragments() {
  let svg = mazur.svg()
  #expect(svg.hasPrefix("""
    <svg xmlns="http://www.w3.org/2000/svg" class="fig fig-network" viewBox="0 0 545 203" width="545" \
    height="203" font-size="12" role="img" aria-labelledby="n-title n-desc">
    <title id="n-title">2-2-2</title>
    <desc id="n-desc">Mazur</desc>
    <path class="fig-edge" d="M43.5 88L272.5 88M43.5 88L272.5 158.5M43.5 158.5L272.5 88M43.5 158.5L272.5 158.5"/>
    """))
  #expect(svg.contains("""
    <path class="fig-bias-edge" d="M43.5 48L272.5 88M43.5 48L272.5 158.5"/>
    <rect class="fig-bias" x="36.5" y="41" width="14" height="14"/>
    <text class="fig-bias-mark" x="43.5" y="51.5" text-anchor="middle">b</text>
    <text class="fig-value" x="43.5" y="37" text-anchor="middle">b1 0.35</text>
    """))
  #expect(svg.contains("""
    <circle class="fig-neuron" cx="272.5" cy="88" r="20"/>
    <text class="fig-name" x="272.5" y="92.2" text-anchor="middle">h1</text>
    <text class="fig-value" x="272.5" y="120.4" text-anchor="middle">a 0.593270</text>
    """))
  #expect(svg.hasSuffix("""
    <g class="fig-labels">
    <text x="112.2" y="91.68" text-anchor="middle">w1 0.15</text>
    <text x="409.9" y="156.18" text-anchor="middle">w8 0.55</text>
    <text x="409.9" y="168.18" text-anchor="middle">∂ 0.0822</text>
    </g>
    </svg>
    """))
}

@Test("edge labels alternate between 0.3 and 0.6 of the way along by target")
func networkLabelPositions() {
  let labelled = NetworkDiagram(
    id: "n", title: "", description: "", layers: mazurLayers,
    edgeLabel: { edge in edge.layer == 0 ? ["w\(edge.from)\(edge.to)"] : [] })
  let parsed = ParsedSVG.parse(labelled.svg())!
  let labels = Dictionary(uniqueKeysWithValues: parsed.elements.filter { $0.text.hasPrefix("w") }.map {
    ($0.text, Double($0.attributes["x"]!)!)
  })
  let columns = parsed.named("circle").map { Double($0.attributes["cx"]!)! }
  let (source, target) = (columns[0], columns[2])
  let at: (Double) -> Double = { t in Double(SVG.number(source + t * (target - source)))! }
  #expect(labels["w00"] == at(0.3))
  #expect(labels["w10"] == at(0.3))
  #expect(labels["w01"] == at(0.6))
  #expect(labels["w11"] == at(0.6))
}

@Test("the closure initialiser labels the same edges as the dictionary")
func networkClosureInit() {
  let fromClosure = NetworkDiagram(
    id: "n", title: "2-2-2", description: "Mazur", layers: mazurLayers,
    edgeLabel: { edge in
      switch (edge.layer, edge.from, edge.to) {
      case (0, 0, 0): ["w1 0.15"]
      case (1, 1, 1): ["w8 0.55", "∂ 0.0822"]
      default: []
      }
    })
  #expect(fromClosure == mazur)
  #expect(fromClosure.svg() == mazur.svg())
}

@Test("neuron names and values are escaped")
func networkEscaping() {
  let diagram = NetworkDiagram(
    id: "e", title: "A & B", description: "<desc>",
    layers: [
      .init(name: "in \"1\"", neurons: [.init("<h&1>", lines: ["a < b"])], bias: "b's"),
      .init(name: "out", neurons: [.init("o")]),
    ],
    edgeLabels: [.init(layer: 0, from: 0, to: 0): ["w & v"]])
  let svg = diagram.svg()
  #expect(svg.contains("&lt;h&amp;1&gt;"))
  #expect(!svg.contains("<h&1>"))
  #expect(svg.contains("<title id=\"e-title\">A &amp; B</title>"))
  let parsed = ParsedSVG.parse(svg)
  #expect(parsed != nil)
  let texts = parsed?.named("text").map(\.text) ?? []
  #expect(texts.contains("<h&1>"))
  #expect(texts.contains("a < b"))
  #expect(texts.contains("w & v"))
  #expect(texts.contains("b's"))
  #expect(texts.contains("in \"1\""))
}

@Test("a layer of 100 neurons shows the first three, a marker and the last two")
func networkCondensing() {
  let diagram = NetworkDiagram(
    id: "big", title: "Wide input", description: "100 inputs",
    layers: [
      .init(name: "input", neurons: (1...100).map { .init("x\($0)") }),
      .init(name: "output", neurons: [.init("y")]),
    ],
    edgeLabels: [
      .init(layer: 0, from: 0, to: 0): ["shown"],
      .init(layer: 0, from: 50, to: 0): ["hidden"],
      .init(layer: 0, from: 99, to: 0): ["last"],
    ])
  let svg = diagram.svg()
  let parsed = ParsedSVG.parse(svg)!
  #expect(parsed.withClass("fig-input").count == 5)
  #expect(parsed.named("circle").count == 6)
  let names = parsed.withClass("fig-name").map(\.text)
  #expect(names == ["x1", "x2", "x3", "x99", "x100", "y"])
  #expect(svg.contains("(95 more)"))
  #expect(svg.contains("⋮"))
  #expect(occurrences(of: "L", in: parsed.withClass("fig-edge").first!.attributes["d"]!) == 5)
  let labels = parsed.named("text").map(\.text)
  #expect(labels.contains("shown") && labels.contains("last") && !labels.contains("hidden"))
  #expect(NetworkDiagram.slots(count: 8).count == 8)
  #expect(NetworkDiagram.slots(count: 9) == [.neuron(0), .neuron(1), .neuron(2), .more(4), .neuron(7), .neuron(8)])
}

@Test("edge labels do not depend on dictionary insertion order")
func networkOrderIndependence() {
  var forward: [NetworkDiagram.Edge: [String]] = [:]
  var backward: [NetworkDiagram.Edge: [String]] = [:]
  let edges = (0..<2).flatMap { from in (0..<2).map { to in NetworkDiagram.Edge(layer: 0, from: from, to: to) } }
  for edge in edges { forward[edge] = ["w\(edge.from)\(edge.to)"] }
  for edge in edges.reversed() { backward[edge] = ["w\(edge.from)\(edge.to)"] }
  let a = NetworkDiagram(id: "n", title: "t", description: "d", layers: mazurLayers, edgeLabels: forward)
  let b = NetworkDiagram(id: "n", title: "t", description: "d", layers: mazurLayers, edgeLabels: backward)
  #expect(a.svg() == b.svg())
}

@Test("long neuron names go above the circle and widen the columns")
func networkLongNames() {
  let diagram = NetworkDiagram(
    id: "long", title: "", description: "",
    layers: [.init(name: "in", neurons: [.init("temperature")]), .init(name: "out", neurons: [.init("y")])])
  let parsed = ParsedSVG.parse(diagram.svg())!
  let circle = parsed.named("circle")[0]
  let name = parsed.withClass("fig-name")[0]
  #expect(Double(name.attributes["y"]!)! < Double(circle.attributes["cy"]!)! - 20)
  #expect(Double(circle.attributes["cx"]!)! >= SVG.estimatedWidth("temperature", fontSize: 12) / 2)
}

// MARK: - Line chart

@Test("a three-point chart renders exactly")
func chartExact() {
  #expect(threePoints.svg() == """
    <svg xmlns="http://www.w3.org/2000/svg" class="fig fig-chart" viewBox="0 0 300 200" width="300" height="200" font-size="12" role="img" aria-labelledby="c-title c-desc">
    <title id="c-title">Loss</title>
    <desc id="c-desc">Three points</desc>
    <path class="fig-grid" d="M56.8 116.5H284M56.8 81H284M56.8 45.5H284M56.8 10H284M113.6 10V152M170.4 10V152M227.2 10V152M284 10V152"/>
    <path class="fig-axis" d="M56.8 10V152H284M56.8 152h-5M56.8 116.5h-5M56.8 81h-5M56.8 45.5h-5M56.8 10h-5M56.8 152v5M113.6 152v5M170.4 152v5M227.2 152v5M284 152v5"/>
    <g class="fig-ticks">
    <text x="48.8" y="152" dy="0.35em" text-anchor="end">0.1</text>
    <text x="48.8" y="116.5" dy="0.35em" text-anchor="end">0.2</text>
    <text x="48.8" y="81" dy="0.35em" text-anchor="end">0.3</text>
    <text x="48.8" y="45.5" dy="0.35em" text-anchor="end">0.4</text>
    <text x="48.8" y="10" dy="0.35em" text-anchor="end">0.5</text>
    <text x="56.8" y="168.8" text-anchor="middle">0.0</text>
    <text x="113.6" y="168.8" text-anchor="middle">0.5</text>
    <text x="170.4" y="168.8" text-anchor="middle">1.0</text>
    <text x="227.2" y="168.8" text-anchor="middle">1.5</text>
    <text x="284" y="168.8" text-anchor="middle">2.0</text>
    </g>
    <text class="fig-axis-label" x="170.4" y="189.6" text-anchor="middle">step</text>
    <text class="fig-axis-label" x="17.6" y="81" text-anchor="middle" transform="rotate(-90 17.6 81)">loss</text>
    <polyline class="fig-line s0" vector-effect="non-scaling-stroke" points="56.8,10 170.4,98.75 284,143.13"/>
    </svg>
    """)
}

@Test("a chart with several series has a legend and one polyline per series")
func chartLegend() {
  let chart = LineChart(
    id: "two", title: "Train and test", description: "",
    series: [.init(name: "train", values: [1, 0.5, 0.3]), .init(name: "test <held out>", values: [1.1, 0.7, 0.6])])
  let parsed = ParsedSVG.parse(chart.svg())!
  #expect(parsed.withClass("fig-line").filter { $0.name == "polyline" }.count == 2)
  #expect(parsed.withClass("fig-legend").count == 1)
  #expect(parsed.named("text").map(\.text).contains("test <held out>"))
  #expect(ParsedSVG.parse(threePoints.svg())!.withClass("fig-legend").isEmpty)
}

@Test("polylines do not scale their stroke")
func chartNonScalingStroke() {
  let parsed = ParsedSVG.parse(threePoints.svg())!
  #expect(parsed.named("polyline").allSatisfy { $0.attributes["vector-effect"] == "non-scaling-stroke" })
}

@Test("a log-scale chart skips non-finite and non-positive values and labels powers of ten")
func chartLogScale() {
  let chart = LineChart(
    id: "log", title: "Loss", description: "",
    series: [.init(name: "loss", values: [1, .nan, 0.1, 0, -1, .infinity, 0.01, 0.002])],
    yScale: .logarithmic)
  let parsed = ParsedSVG.parse(chart.svg())!
  let points = parsed.named("polyline")[0].attributes["points"]!.split(separator: " ")
  #expect(points.count == 4)
  let labels = parsed.withClass("fig-ticks").isEmpty ? [] : parsed.named("text").map(\.text)
  #expect(labels.contains("10⁻³") && labels.contains("10⁰"))
  #expect(!chart.svg().contains("NaN") && !chart.svg().contains("inf"))
}

@Test("marked points are drawn as small circles")
func chartMarks() {
  let chart = LineChart(
    id: "m", title: "", description: "",
    series: [.init(name: "loss", values: [3, 2, 1], marked: [.init(x: 1, y: 2), .init(x: .nan, y: 1)])])
  let parsed = ParsedSVG.parse(chart.svg())!
  #expect(parsed.named("circle").count == 1)
}

@Test("a chart without usable points still draws its axes")
func chartEmpty() {
  let chart = LineChart(id: "e", title: "Nothing", description: "", series: [.init(name: "x", values: [.nan])])
  let parsed = ParsedSVG.parse(chart.svg())
  #expect(parsed != nil)
  #expect(parsed?.named("polyline").isEmpty == true)
  #expect(parsed?.withClass("fig-axis").count == 1)
}

@Test("a million-point series becomes a chart under 60 KB that keeps the extremes")
func chartMillionPoints() {
  var values = (0..<1_000_000).map { 1 / (1 + Double($0) / 1000) }
  values[123_457] = 5  // a spike the downsampling must keep
  let chart = LineChart(
    id: "big", title: "Loss", description: "", series: [.init(name: "loss", values: values)], yScale: .logarithmic)
  let svg = chart.svg()
  #expect(svg.utf8.count < 60_000)
  #expect(ParsedSVG.parse(svg) != nil)
  let reduced = LineChart.downsampled(values.enumerated().map { LineChart.Point(x: Double($0.offset), y: $0.element) })
  #expect(reduced.count <= LineChart.downsampleLimit + 2)
  #expect(reduced.contains(LineChart.Point(x: 123_457, y: 5)))
  #expect(reduced.first == LineChart.Point(x: 0, y: 1))
  #expect(reduced.last?.x == 999_999)
  #expect(zip(reduced, reduced.dropFirst()).allSatisfy { $0.x < $1.x })
}

// MARK: - Decision regions

@Test("runs of the same class in a row become one rectangle")
func regionsRuns() {
  let svg = smallRegions.svg()
  let parsed = ParsedSVG.parse(svg)!
  let group = parsed.elements.drop { $0.attributes["class"] != "fig-regions" }.dropFirst()
  #expect(group.prefix { $0.name == "rect" }.count == 3)
  // Plot from x = 56.8 (0) to 376.8 (4) and y = 330 (0) to 10 (2); the −1 cell is left empty.
  #expect(svg.contains("""
    <g class="fig-regions">
    <rect class="c0" x="56.8" y="170" width="160" height="160"/>
    <rect class="c1" x="216.8" y="170" width="160" height="160"/>
    <rect class="c2" x="56.8" y="10" width="240" height="160"/>
    </g>
    """))
}

@Test("points differ by marker shape per class and outside or non-finite points are skipped")
func regionsPoints() {
  let parsed = ParsedSVG.parse(smallRegions.svg())!
  let points = parsed.elements.drop { $0.attributes["class"] != "fig-points" }.dropFirst().prefix(3)
  #expect(points.map(\.name) == ["circle", "rect", "path"])
  #expect(points.map { $0.attributes["class"] } == ["c0", "c1", "c2"])
  let legend = parsed.withClass("fig-legend")
  #expect(legend.count == 1)
  #expect(parsed.named("text").map(\.text).suffix(3) == ["zero", "one", "two"])
  let shapes = (0..<6).map { DecisionRegions.marker(label: $0, x: 10, y: 10, size: 4).rendered }
  #expect(Set(shapes).count == 6)
  #expect(shapes.enumerated().allSatisfy { $0.element.contains("class=\"c\($0.offset)\"") })
}

// MARK: - Every figure

private let allFigures: [(String, @Sendable () -> String)] = [
  ("network", { mazur.svg() }),
  ("chart", { threePoints.svg() }),
  ("regions", { smallRegions.svg() }),
]

@Test("every figure is well-formed XML with a unique accessible name and description")
func wellFormedAndAccessible() throws {
  for (name, render) in allFigures {
    let svg = render()
    let parsed = try #require(ParsedSVG.parse(svg), "\(name) is not well-formed")
    let root = parsed.elements[0]
    #expect(root.name == "svg")
    #expect(root.attributes["role"] == "img")
    #expect(root.attributes["viewBox"]?.hasPrefix("0 0 ") == true)
    let ids = root.attributes["aria-labelledby"]!.split(separator: " ").map(String.init)
    #expect(parsed.elements[1].name == "title" && parsed.elements[1].attributes["id"] == ids[0])
    #expect(parsed.elements[2].name == "desc" && parsed.elements[2].attributes["id"] == ids[1])
    #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
  }
  let ids = [mazur.svg(), threePoints.svg(), smallRegions.svg()].map { ParsedSVG.parse($0)!.named("title")[0].attributes["id"]! }
  #expect(Set(ids).count == 3)
}

@Test("figures carry no scripts, external references or literal colours")
func noScriptsOrColours() {
  for (name, render) in allFigures {
    let svg = render()
    for forbidden in ["<script", "href", "url(", "fill=\"#", "stroke=\"#", "style=", "paint-order", "<image", "<foreignObject"] {
      #expect(!svg.contains(forbidden), "\(name) contains \(forbidden)")
    }
  }
}

@Test("rendering the same figure twice gives identical output")
func determinism() {
  for (name, render) in allFigures {
    #expect(render() == render(), "\(name) differs between renders")
  }
}

@Test("the stylesheet styles every class and puts the label halo in CSS")
func stylesheet() {
  let css = SVG.stylesheet
  for variable in ["--fg", "--bg", "--muted", "--accent", "--accent2", "--grid"] {
    #expect(css.contains("var(\(variable)"), "missing \(variable)")
  }
  for name in ["c0", "c1", "c2", "c3", "c4", "c5", "s0", "s1", "fig-edge", "fig-neuron", "fig-line", "fig-grid", "fig-axis"] {
    #expect(css.contains(".\(name)"), "missing .\(name)")
  }
  #expect(css.contains("paint-order:stroke"))
  #expect(css.contains("stroke:var(--bg"))
}

// MARK: - Worksheet blanks in the network diagram

/// Every number in a path's `d`, as y coordinates (the odd positions of M/L pairs).
private func pathYs(_ parsed: ParsedSVG) -> [Double] {
  parsed.named("path").flatMap { path -> [Double] in
    let numbers = path.attributes["d"]!.split(whereSeparator: { "ML ".contains($0) }).compactMap { Double($0) }
    return stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] }
  }
}

@Test("a blank value under a neuron is its label and a box on a white ground, drawn over the edges")
func networkBlankNeuronLines() {
  let layers: [NetworkDiagram.Layer] = mazurLayers.enumerated().map { l, layer in
    var layer = layer
    if l > 0 { layer.neurons = layer.neurons.map { .init($0.name, lines: ["net ______", "out 0.5933"]) } }
    return layer
  }
  let svg = NetworkDiagram(id: "b", title: "", description: "", layers: layers).svg()
  let parsed = ParsedSVG.parse(svg)!
  let boxes = parsed.withClass("fig-blank")
  #expect(boxes.count == 4)
  #expect(boxes.allSatisfy { $0.attributes["width"] == "110" && $0.attributes["height"] == "28" })
  #expect(parsed.withClass("fig-blank-label").map(\.text) == ["net", "net", "net", "net"])
  #expect(parsed.elements.allSatisfy { !$0.text.contains("___") })
  // Later in the document is on top: each box hides any edge under it.
  let lastPath = parsed.elements.lastIndex { $0.name == "path" }!
  let firstBox = parsed.elements.firstIndex { $0.attributes["class"] == "fig-blank" }!
  #expect(lastPath < firstBox)
  // Each box sits below its neuron's circle and above the next line of text.
  for (box, circle) in zip(boxes, parsed.named("circle").dropFirst(2)) {
    #expect(Double(box.attributes["y"]!)! > Double(circle.attributes["cy"]!)! + 20)
  }
}

@Test("blank edge labels keep their name on the edge; their boxes stand in a legend below every edge")
func networkBlankEdgeLegend() {
  let diagram = NetworkDiagram(
    id: "e", title: "", description: "", layers: mazurLayers,
    edgeLabel: { edge in
      guard edge.layer == 1 else { return [] }
      let number = 5 + 2 * edge.to + edge.from  // w5, w6 into o1; w7, w8 into o2
      return ["∂E/∂w\(number) ______"]
    })
  let parsed = ParsedSVG.parse(diagram.svg())!
  let onEdges = parsed.elements.filter { $0.name == "text" && $0.text.hasPrefix("∂E/∂w") && $0.attributes["class"] == nil }
  #expect(Set(onEdges.map(\.text)) == ["∂E/∂w5", "∂E/∂w6", "∂E/∂w7", "∂E/∂w8"])
  // The legend reads in the order of the edges into each neuron: w5, w6 into o1, then w7, w8.
  #expect(parsed.withClass("fig-blank-label").map(\.text) == ["∂E/∂w5", "∂E/∂w6", "∂E/∂w7", "∂E/∂w8"])
  let boxes = parsed.withClass("fig-blank")
  #expect(boxes.count == 4)
  let lowestEdge = pathYs(parsed).max()!
  let lowestCircle = parsed.named("circle").map { Double($0.attributes["cy"]!)! + 20 }.max()!
  for box in boxes { #expect(Double(box.attributes["y"]!)! > max(lowestEdge, lowestCircle)) }
  let height = Double(parsed.named("svg")[0].attributes["height"]!)!
  #expect(boxes.allSatisfy { Double($0.attributes["y"]!)! + 28 <= height })
}

@Test("blank edge labels that would read the same are numbered, on the edge and in the legend")
func networkBlankEdgeNumbers() {
  let diagram = NetworkDiagram(
    id: "e", title: "", description: "", layers: mazurLayers,
    edgeLabel: { edge in edge.layer == 0 ? ["∂E/∂w ______"] : [] })
  let parsed = ParsedSVG.parse(diagram.svg())!
  let tags = parsed.elements.filter { $0.name == "text" && $0.text.hasPrefix("(") && $0.attributes["class"] == nil }.map(\.text)
  #expect(Set(tags) == ["(1)", "(2)", "(3)", "(4)"])
  #expect(parsed.withClass("fig-blank-label").map(\.text) == ["(1) ∂E/∂w", "(2) ∂E/∂w", "(3) ∂E/∂w", "(4) ∂E/∂w"])
}
