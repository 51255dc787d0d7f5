extension SVG {
  /// The CSS for every class the figures use. Include it once per report.
  ///
  /// Colours come from the report's variables `--fg`, `--bg`, `--muted`, `--accent`, `--accent2`
  /// and `--grid` (each with a light-mode fallback), so a dark-mode report restyles the figures by
  /// redefining them. The six class colours `--c0`…`--c5` default to the Okabe–Ito palette
  /// (distinguishable with the common colour-vision deficiencies); markers and dash patterns differ
  /// as well, so nothing depends on colour alone. Edge labels get their halo here (`paint-order`)
  /// because validators reject it as an attribute.
  public static let stylesheet: String = """
    svg.fig{max-width:100%;height:auto;overflow:visible;color:var(--fg,#1a1a1a);\
    font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:12px;\
    break-inside:avoid;-webkit-print-color-adjust:exact;print-color-adjust:exact}
    .fig text{fill:currentColor;font-variant-numeric:tabular-nums lining-nums}
    .fig .fig-neuron{fill:var(--bg,#fff);stroke:currentColor;stroke-width:1.5}
    .fig .fig-input{fill:var(--grid,#e5e5e5)}
    .fig .fig-output{stroke:var(--accent,#0072b2);stroke-width:2}
    .fig .fig-name{font-size:12px;font-weight:600}
    .fig .fig-value{font-size:10.5px;fill:var(--muted,#555)}
    .fig .fig-layer-name{font-size:11px;fill:var(--muted,#555);letter-spacing:.04em}
    .fig .fig-more{font-size:10.5px;fill:var(--muted,#555)}
    .fig .fig-edge{fill:none;stroke:var(--muted,#888);stroke-width:1;stroke-opacity:.7}
    .fig .fig-bias{fill:var(--bg,#fff);stroke:var(--accent2,#d55e00);stroke-width:1.5}
    .fig .fig-bias-mark{font-size:10px;font-weight:600;fill:var(--accent2,#d55e00)}
    .fig .fig-bias-edge{fill:none;stroke:var(--accent2,#d55e00);stroke-width:1;stroke-dasharray:4 3;stroke-opacity:.7}
    .fig .fig-blank{fill:var(--bg,#fff);stroke:currentColor;stroke-width:1}
    .fig .fig-blank-label{paint-order:stroke;stroke:var(--bg,#fff);stroke-width:3px;stroke-linejoin:round}
    .fig .fig-labels text{font-size:10.5px;paint-order:stroke;stroke:var(--bg,#fff);stroke-width:3px;stroke-linejoin:round}
    .fig .fig-grid{fill:none;stroke:var(--grid,#e5e5e5);stroke-width:1}
    .fig .fig-axis{fill:none;stroke:currentColor;stroke-width:1}
    .fig .fig-ticks text{font-size:11px}
    .fig .fig-axis-label{font-size:12px}
    .fig .fig-line{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
    .fig .fig-mark circle{fill:var(--bg,#fff);stroke-width:1.5}
    .fig .fig-line.s0,.fig .fig-mark.s0{stroke:var(--accent,#0072b2)}
    .fig .fig-line.s1,.fig .fig-mark.s1{stroke:var(--accent2,#d55e00)}
    .fig .fig-line.s2,.fig .fig-mark.s2{stroke:var(--c2,#009e73)}
    .fig .fig-line.s3,.fig .fig-mark.s3{stroke:var(--c3,#cc79a7)}
    .fig .fig-line.s4,.fig .fig-mark.s4{stroke:var(--c1,#e69f00)}
    .fig .fig-line.s5,.fig .fig-mark.s5{stroke:var(--c5,#56b4e9)}
    .fig .fig-line.s1{stroke-dasharray:7 4}
    .fig .fig-line.s2{stroke-dasharray:2 3}
    .fig .fig-line.s3{stroke-dasharray:9 3 2 3}
    .fig .fig-line.s4{stroke-dasharray:4 2}
    .fig .fig-line.s5{stroke-dasharray:1 2}
    .fig .c0{fill:var(--c0,#0072b2)}
    .fig .c1{fill:var(--c1,#e69f00)}
    .fig .c2{fill:var(--c2,#009e73)}
    .fig .c3{fill:var(--c3,#cc79a7)}
    .fig .c4{fill:var(--c4,#d55e00)}
    .fig .c5{fill:var(--c5,#56b4e9)}
    .fig .fig-regions{shape-rendering:crispEdges}
    .fig .fig-regions rect{fill-opacity:.2}
    .fig .fig-points *,.fig .fig-legend .c0,.fig .fig-legend .c1,.fig .fig-legend .c2,\
    .fig .fig-legend .c3,.fig .fig-legend .c4,.fig .fig-legend .c5{stroke:var(--fg,#1a1a1a);stroke-width:.75}
    .fig .fig-legend text{font-size:12px}
    svg.fig-graph{max-width:none}
    .fig .fig-gnode{fill:var(--bg,#fff);stroke:currentColor;stroke-width:1.25}
    .fig .fig-gnode.fig-input{fill:var(--grid,#e5e5e5)}
    .fig .fig-gnode.fig-constant{stroke-dasharray:3 2;stroke:var(--muted,#555)}
    .fig .fig-gnode.fig-output{stroke:var(--accent,#0072b2);stroke-width:2.5}
    .fig .fig-op{fill:var(--bg,#fff);stroke:var(--accent,#0072b2);stroke-width:1.5}
    .fig .fig-op-symbol{font-size:12px;font-weight:600;fill:var(--accent,#0072b2)}
    .fig .fig-gedge{stroke-opacity:1}
    .fig .fig-arrow{fill:var(--muted,#888);stroke:none}

    """
}
