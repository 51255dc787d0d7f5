/// The report's only styling: inline, so the file works offline and prints as a handout.
enum Stylesheet {
  static let css = """
    :root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fff;--muted:#5f6368;--accent:#1a5fb4;--accent2:#b5461a;--grid:#d9dce1;--pass:#1e7a34;--fail:#b3261e;--warn:#8a6100;--panel:#f5f6f8}
    @media (prefers-color-scheme:dark){:root{--fg:#e8e8ea;--bg:#16181c;--muted:#a0a4ab;--accent:#7fb0ff;--accent2:#ff9e6e;--grid:#3a3e45;--pass:#6ccf84;--fail:#ff8a80;--warn:#e6c163;--panel:#1f2227}}
    html{background:var(--bg);color:var(--fg)}
    body{margin:0;font:16px/1.6 Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,serif}
    main{max-width:52rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}
    h1{font-size:2rem;line-height:1.2;margin:1.5rem 0 1rem}
    h2{font-size:1.45rem;margin:2.2rem 0 .6rem;border-bottom:1px solid var(--grid);padding-bottom:.2rem}
    h3{font-size:1.15rem;margin:1.6rem 0 .4rem}
    a{color:var(--accent)}
    code{font:.9em ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
    pre{background:var(--panel);padding:.75rem 1rem;overflow-x:auto;border-radius:4px}
    blockquote{margin:1rem 0;padding:0 1rem;border-left:3px solid var(--grid);color:var(--muted)}
    math{font-family:"Latin Modern Math","STIX Two Math","Cambria Math","TeX Gyre Termes Math","TeX Gyre Pagella Math",math}
    .math-display{overflow-x:auto;overflow-y:hidden;margin:.6rem 0;padding:.1rem 0}
    .summary{font-weight:bold;padding:.4rem .8rem;border-radius:4px;background:var(--panel)}
    .summary.pass{color:var(--pass)}.summary.fail{color:var(--fail)}
    nav.toc{background:var(--panel);padding:.5rem 1.2rem;border-radius:4px;margin:1rem 0 2rem}
    nav.toc h2{font-size:1rem;border:0;margin:.3rem 0}
    nav.toc ol{margin:.2rem 0 .5rem;padding-left:1.4rem}
    .block{margin:1rem 0 1.5rem;padding:.6rem 1rem;border-left:3px solid var(--accent);background:var(--panel);border-radius:0 4px 4px 0}
    .block.checks{border-left-color:var(--pass)}
    .block-title{margin:.2rem 0 .5rem;color:var(--muted);font-size:.92rem}
    .kind{font:600 .8rem ui-monospace,"DejaVu Sans Mono",monospace;text-transform:uppercase;letter-spacing:.05em;color:var(--accent);margin-right:.3rem}
    .note{color:var(--muted);font-size:.92rem}
    .table-wrap{overflow-x:auto;margin:.6rem 0}
    table{border-collapse:collapse;font-size:.92rem;margin:0}
    caption{text-align:left;font-weight:600;padding:.2rem 0 .3rem;color:var(--fg)}
    th,td{padding:.22rem .7rem;border-bottom:1px solid var(--grid);text-align:left;vertical-align:baseline}
    thead th{border-bottom:1.5px solid var(--fg);font-weight:600}
    .align-left{text-align:left}.align-center{text-align:center}.align-right{text-align:right;font-variant-numeric:tabular-nums}
    .num{text-align:right;font-variant-numeric:tabular-nums lining-nums;white-space:nowrap}
    td.target{color:var(--muted)}
    td.muted{color:var(--muted);font-style:italic}
    td.total{font-weight:600}
    td.fold{color:var(--muted);font-style:italic;text-align:center}
    .verdict{white-space:nowrap;font-weight:600}
    .verdict.pass{color:var(--pass)}.verdict.fail{color:var(--fail)}.verdict.warn{color:var(--warn)}
    td.note{color:var(--muted);min-width:12rem;white-space:normal}
    .value{font-variant-numeric:tabular-nums;border-bottom:1px dotted var(--muted)}
    .value.missing{color:var(--fail)}
    .total{font-weight:600}
    .stopped{border:2px solid var(--fail);padding:.6rem 1rem;color:var(--fail);border-radius:4px}
    .warning{border-left:3px solid var(--warn);background:var(--panel);padding:.4rem .8rem;margin:.6rem 0;border-radius:4px}
    details.working{margin:.3rem 0 .9rem}
    details.working summary{cursor:pointer;color:var(--muted);font-size:.92rem}
    figure{margin:.8rem 0;overflow-x:auto}
    figure svg{max-width:100%;height:auto}
    .image-alt{color:var(--muted);font-style:italic}
    /* Paper: A4, the lesson's title and page numbers in the footer (HTML.page adds the title). Blocks may
       break across pages, their rows, formulas and figures may not; short tables stay whole. */
    @page{size:A4;margin:13mm 14mm 15mm;\
    @bottom-left{font:8.5pt system-ui,"DejaVu Sans",Arial,sans-serif;color:#555}\
    @bottom-right{content:counter(page) " / " counter(pages);font:8.5pt system-ui,"DejaVu Sans",Arial,sans-serif;color:#555}}
    @media print{
      :root{--bg:#fff;--fg:#000;--panel:#fff}
      body{font-size:10pt;line-height:1.4}
      main{max-width:none;padding:0}
      nav.toc{display:none}
      h1{font-size:17pt;margin:0 0 .4rem}
      h2{font-size:13pt;margin:1rem 0 .35rem}
      h3{font-size:11pt;margin:.8rem 0 .3rem}
      p{margin:.35rem 0;orphans:2;widows:2}
      .block{margin:.5rem 0 .7rem;border-left-width:2px;background:none;padding:.1rem .5rem}
      tr,figure,svg,.math-display,pre,.stopped,.warning{break-inside:avoid;page-break-inside:avoid}
      table:not(:has(tr:nth-child(13))){break-inside:avoid;page-break-inside:avoid}
      h1,h2,h3,.block-title,caption,details>summary{break-after:avoid;page-break-after:avoid}
      thead{display:table-header-group}
      .table-wrap,.math-display{overflow:visible}
      .table-wrap{margin:.3rem 0}
      th,td{padding:.1rem .55rem}
      caption{padding:.1rem 0 .15rem}
      .math-display{margin:.25rem 0}
      figure{margin:.4rem 0}
      /* Worked arithmetic is mostly narrow: formulas sit side by side where they fit, one per line where not. */
      details.working{margin:.15rem 0 .4rem}
      details.working[open]::details-content{display:flex;flex-wrap:wrap;align-items:flex-start;column-gap:2.5em}
      details.working>.math-display{flex:0 1 auto;margin-left:1.5em}
      /* break-after on the summary does not reach into the flex box; so the first formula holds on to it. */
      details.working::details-content,details.working>.math-display:first-of-type{break-before:avoid;page-break-before:avoid}
      a{color:inherit;text-decoration:none}
      .verdict,.summary{print-color-adjust:exact;-webkit-print-color-adjust:exact}
    }

    """
}
