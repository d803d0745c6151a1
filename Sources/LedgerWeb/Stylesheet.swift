/// The dashboard's only stylesheet: readable on a laptop and a phone, no web fonts, no other hosts.
public enum Stylesheet {
    public static let css = """
        :root{--fg:#1d232a;--muted:#5c6670;--line:#d9dee3;--bg:#fff;--accent:#1f5fbf;--warn:#a64b00;--bad:#b3261e;--ok:#1e7b34}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1rem;border-bottom:1px solid var(--line);background:#f6f8fa}
        header .brand{font-weight:700;color:var(--fg);text-decoration:none}
        header nav{display:flex;gap:.9rem}
        header nav a[aria-current]{font-weight:600;text-decoration:underline}
        header .viewer{margin-left:auto;color:var(--muted);font-size:.9em}
        header form.signout button{background:none;color:var(--accent);border:none;padding:0;text-decoration:underline;font-size:.9em}
        main{padding:1rem;max-width:1400px;margin:0 auto}
        h1{font-size:1.4rem;margin:.2rem 0 .8rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
        a{color:var(--accent)}
        code{font:12.5px ui-monospace,Menlo,Consolas,monospace;background:#f1f3f5;padding:0 .2em;border-radius:3px;word-break:break-all}
        .scroll{overflow-x:auto;max-width:100%}
        table{border-collapse:collapse;min-width:100%;font-size:.93em}
        th,td{border-bottom:1px solid var(--line);padding:.35rem .55rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa;white-space:nowrap}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        tr.diff td{background:#fff6db}
        .facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
        .facts dt{color:var(--muted)}.facts dd{margin:0}
        .muted{color:var(--muted)}
        .flag{display:inline-block;font-size:.75em;font-weight:700;padding:0 .4em;border-radius:3px;margin-left:.3em;border:1px solid}
        .flag.conflict,.flag.fork{color:var(--warn)}.flag.bad,.flag.missing{color:var(--bad)}.flag.ok{color:var(--ok)}
        .status-failed,.status-killed{color:var(--bad)}.status-finished{color:var(--ok)}
        .notice{padding:.5rem .8rem;border-radius:4px;background:#fdecea;color:var(--bad)}
        .notice.info{background:#e8f1fd;color:var(--accent)}
        .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:1rem}
        figure{margin:0;border:1px solid var(--line);border-radius:4px;padding:.3rem}
        figcaption{font-weight:600;font-size:.9em;padding:0 .3rem}
        svg.chart{width:100%;height:auto;display:block}
        svg.chart .band{fill:#000;fill-opacity:0}svg.chart .band:hover{fill-opacity:.07}
        .charts.small{grid-template-columns:repeat(auto-fill,minmax(min(100%,400px),1fr))}
        .chart-controls{display:flex;flex-wrap:wrap;gap:.4rem 1.4rem;font-size:.88em;color:var(--muted);margin:.4rem 0}
        .chart-controls strong{color:var(--fg)}
        nav.tabs{display:flex;gap:1rem;border-bottom:1px solid var(--line);margin:0 0 .6rem;padding-bottom:.3rem}
        nav.tabs strong{border-bottom:2px solid var(--accent)}
        figure.plot{max-width:980px}figure.plot.wide{max-width:none}
        svg.parallel polyline{stroke-opacity:.55;stroke-width:1.3}
        svg.parallel a:hover polyline{stroke-opacity:1;stroke-width:3.5}
        svg.scatter a:hover circle,svg.versions a:hover circle{stroke:#1d232a;stroke-width:2}
        svg.heatmap rect:hover{stroke:#1d232a;stroke-width:1.5}
        .figures,.side{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:1rem;margin:.6rem 0}
        .figures figure.wide{grid-column:1/-1;max-width:900px}
        figure.artifact img{max-width:100%;height:auto;display:block;margin:.3rem auto}
        h3{font-size:1rem;margin:1rem 0 .4rem}
        form.inline{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}
        form label{display:flex;flex-direction:column;font-size:.85em;color:var(--muted)}
        input,select,textarea,button{font:inherit;padding:.3rem .45rem;border:1px solid var(--line);border-radius:4px}
        input[type=text].wide{min-width:min(30rem,90vw)}
        button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
        .pager{display:flex;gap:1rem;align-items:center;margin:.6rem 0}
        ol.timeline{list-style:none;padding:0;margin:0}
        ol.timeline li{border-left:3px solid var(--line);padding:.4rem .8rem;margin-bottom:.4rem}
        ol.timeline li.promote{border-color:var(--ok)}ol.timeline li.demote,ol.timeline li.archive{border-color:var(--warn)}
        ol.timeline li.comment{border-color:var(--accent)}
        .reason{margin:.2rem 0}.comment-text{white-space:pre-wrap;margin:.2rem 0}
        @media (max-width:600px){main{padding:.6rem}th,td{padding:.3rem}.facts{grid-template-columns:1fr}}
        """
}
