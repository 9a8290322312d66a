package io.transferpool.web;

import io.transferpool.messaging.StatusEvent;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import static io.transferpool.report.Svg.esc;

/**
 * The jobs page served at {@code /}: a server-rendered table of jobs (newest first) with state, progress and test
 * accuracy, each linking to its report, kept live by one EventSource on {@code /events}. No framework: the script
 * updates a row's cells, or adds a row for a new job on the first page.
 */
public final class JobsPage {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:22px;margin:0 0 12px}table{border-collapse:collapse;min-width:760px}
            td,th{border:1px solid #d0d7de;padding:4px 10px;text-align:left}th{background:#f6f8fa}
            td.n{text-align:right}.status{display:inline-block;padding:1px 9px;border-radius:10px;color:#fff;
            font-weight:600;background:#57606a}.SUCCEEDED{background:#1a7f37}.FAILED{background:#cf222e}
            .REJECTED{background:#9a6700}.CANCELLED{background:#6e7781}.TRAINING,.EXTRACTING{background:#0969da}
            .WAITING,.QUEUED{background:#bf8700}
            #live{font-size:12px;color:#57606a;margin-left:8px}nav{margin-top:12px}nav a{margin-right:12px}
            """;

    // Mirrors progress() below for events that arrive after the page was rendered.
    private static final String SCRIPT = """
            const table = document.getElementById('jobs');
            const first = table.dataset.offset === '0';
            function progress(s) {
              let t = s.stage + (s.message ? ': ' + s.message : '');
              if (s.shardsTotal != null) t += ' · shards ' + s.shardsDone + '/' + s.shardsTotal;
              if (s.epoch != null) t += ' · epoch ' + s.epoch + (s.epochs != null ? '/' + s.epochs : '');
              if (s.valAccuracy != null) t += ' · val acc ' + s.valAccuracy.toFixed(4);
              return t;
            }
            function row(id) {
              let r = document.getElementById('job-' + id);
              if (!r && first) {
                r = table.insertRow(1);
                // The first page keeps its size: the oldest row goes (it is on the next page now).
                if (table.rows.length - 1 > Number(table.dataset.limit)) table.deleteRow(table.rows.length - 1);
                r.id = 'job-' + id;
                r.innerHTML = '<td><a></a></td><td class="state"><span class="status"></span></td>'
                  + '<td class="progress"></td><td class="n acc"></td><td>just now</td>';
                const a = r.querySelector('a');
                a.textContent = id;
                a.href = '/jobs/' + encodeURIComponent(id);
              }
              return r;
            }
            function state(r, st) {
              const span = r.querySelector('.status');
              span.textContent = st;
              span.className = 'status ' + st;
            }
            const es = new EventSource('/events');
            es.onopen = () => { document.body.dataset.live = 'connected'; document.getElementById('live').textContent = 'live'; };
            es.onerror = () => { document.getElementById('live').textContent = 'reconnecting…'; };
            es.addEventListener('status', e => {
              const s = JSON.parse(e.data);
              const r = row(s.jobId);
              if (!r) return;
              r.querySelector('.progress').textContent = progress(s);
              if (!r.dataset.done) state(r, s.stage.toUpperCase());
            });
            es.addEventListener('result', e => {
              const res = JSON.parse(e.data);
              const r = row(res.jobId);
              if (!r) return;
              r.dataset.done = '1';
              state(r, res.status);
              const t = res.metrics && res.metrics.test;
              r.querySelector('.acc').textContent = t ? t.accuracy.toFixed(4) : '';
              r.querySelector('a').href = '/jobs/' + encodeURIComponent(res.jobId) + '/report';
            });
            """;

    private JobsPage() {
    }

    public static String html(List<JobEntry> jobs, int offset, int limit, int total) {
        StringBuilder b = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<title>TransferPool jobs</title><style>").append(CSS).append("</style></head><body>")
                .append("<h1>TransferPool jobs<span id=\"live\"></span></h1>")
                .append("<table id=\"jobs\" data-offset=\"").append(offset).append("\" data-limit=\"").append(limit)
                .append("\"><tr><th>job</th><th>state</th>")
                .append("<th>progress</th><th>test accuracy</th><th>submitted</th></tr>");
        for (JobEntry e : jobs) {
            String id = esc(e.jobId());
            String href = "/jobs/" + esc(urlPart(e.jobId())) + (e.result() != null ? "/report" : "");
            b.append("<tr id=\"job-").append(id).append("\"").append(e.result() != null ? " data-done=\"1\"" : "")
                    .append("><td><a href=\"").append(href).append("\">").append(id).append("</a></td>")
                    .append("<td class=\"state\"><span class=\"status ").append(e.state().name()).append("\">")
                    .append(e.state().name()).append("</span></td><td class=\"progress\">")
                    .append(e.latest() == null ? "" : esc(progress(e.latest()))).append("</td><td class=\"n acc\">")
                    .append(e.testAccuracy() == null ? "" : String.format(Locale.ROOT, "%.4f", e.testAccuracy()))
                    .append("</td><td>").append(TIME.format(Instant.ofEpochMilli(e.submittedAtMillis())))
                    .append("</td></tr>");
        }
        b.append("</table><nav>");
        if (offset > 0) {
            b.append("<a href=\"/?offset=").append(Math.max(0, offset - limit)).append("\">« newer</a>");
        }
        if (offset + limit < total) {
            b.append("<a href=\"/?offset=").append(offset + limit).append("\">older »</a>");
        }
        b.append(total).append(" job(s) · <a href=\"/q/openapi\">API</a></nav><script>").append(SCRIPT)
                .append("</script></body></html>");
        return b.toString();
    }

    /** One line of progress, as the page's script writes it. */
    static String progress(StatusEvent s) {
        StringBuilder t = new StringBuilder(s.stage() == null ? "" : s.stage().wire())
                .append(s.message() == null ? "" : ": " + s.message());
        if (s.shardsTotal() != null) {
            t.append(" · shards ").append(s.shardsDone()).append('/').append(s.shardsTotal());
        }
        if (s.epoch() != null) {
            t.append(" · epoch ").append(s.epoch()).append(s.epochs() == null ? "" : "/" + s.epochs());
        }
        if (s.valAccuracy() != null) {
            t.append(String.format(Locale.ROOT, " · val acc %.4f", s.valAccuracy()));
        }
        return t.toString();
    }

    private static String urlPart(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
