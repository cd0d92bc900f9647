package org.tribuoadapt.report;

/**
 * The inline stylesheet of {@code report.html}: system fonts only, no external resources.
 */
final class ReportStylesheet {

    /** The CSS text. */
    static final String CSS = """
            :root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --alt: #f6f8fa; --accent: #0969da; }
            * { box-sizing: border-box; }
            body { margin: 0; color: var(--fg); background: #fff; font-size: 15px; line-height: 1.5;
              font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
            header, nav, main, footer { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
            header { padding-top: 28px; }
            h1 { font-size: 1.9em; margin: 0 0 2px; line-height: 1.25; }
            h2 { font-size: 1.35em; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
            .meta { color: var(--muted); margin: 0 0 12px; }
            a { color: var(--accent); text-decoration: none; }
            a:hover { text-decoration: underline; }
            nav ol { margin: 4px 0; padding-left: 22px; }
            p.text { white-space: pre-line; max-width: 80ch; }
            .table-wrap { overflow-x: auto; margin: 12px 0 20px; }
            table { border-collapse: collapse; font-size: 0.92em; }
            caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 6px; }
            th, td { border: 1px solid var(--border); padding: 5px 10px; text-align: left; vertical-align: top; }
            thead th, table.environment th { background: var(--alt); font-weight: 600; }
            tbody tr:nth-child(even) td { background: #fbfcfd; }
            .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            figure.chart { margin: 16px 0 24px; }
            figure.chart svg { display: block; max-width: 100%; height: auto;
              border: 1px solid var(--border); border-radius: 6px; }
            details { margin: 12px 0; }
            summary { cursor: pointer; font-weight: 600; }
            section#provenance { margin-top: 36px; border-top: 1px solid var(--border); }
            details.provenance > summary { font-size: 1.35em; margin: 12px 0; }
            details.provenance-entry { margin-left: 8px; }
            pre, code, .tree .class, .tree .value { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas,
              "DejaVu Sans Mono", monospace; font-size: 0.86em; }
            pre { background: var(--alt); border: 1px solid var(--border); border-radius: 6px; padding: 10px 12px;
              overflow-x: auto; }
            ul.tree, ol.tree { list-style: none; margin: 2px 0; padding-left: 18px; border-left: 1px dotted var(--border); }
            .tree .key { font-weight: 600; }
            .tree .key::after { content: ":"; }
            .tree .class, .empty { color: var(--muted); }
            .tree .value { word-break: break-all; }
            footer { color: var(--muted); font-size: 0.85em; padding-top: 24px; padding-bottom: 32px; }
            """;

    private ReportStylesheet() {}
}
