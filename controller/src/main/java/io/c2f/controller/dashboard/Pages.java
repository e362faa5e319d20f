package io.c2f.controller.dashboard;

import static io.c2f.controller.api.Html.escape;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Renders the dashboard's HTML pages from {@code dashboard/*.html} on the classpath: a shared
 * layout with the page's body, title and subject (device or rollout id) filled in, HTML-escaped.
 */
final class Pages {
    private final String fleet;
    private final Map<String, String> templates = new ConcurrentHashMap<>();

    Pages(String fleet) {
        this.fleet = fleet;
    }

    void send(RoutingContext rc, String page, String subject) {
        String body = template(page).replace("{{fleet}}", escape(fleet))
                .replace("{{subject}}", subject == null ? "" : escape(subject));
        String title = switch (page) {
            case "device" -> "Device " + subject;
            case "rollout" -> "Rollout " + subject;
            case "model" -> "Model " + subject;
            case "models" -> "Models";
            case "enrolment" -> "Enrolment";
            default -> "Fleet " + fleet;
        };
        String html = template("layout").replace("{{title}}", escape(title)).replace("{{fleet}}", escape(fleet))
                .replace("{{page}}", page)
                .replace("{{subject}}", subject == null ? "" : escape(subject))
                .replace("{{extra}}", page.equals("device") ? "\n<script src=\"/dashboard/assets/generate.js\"></script>" : "")
                .replace("{{body}}", body);
        rc.response().putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("content-security-policy", "default-src 'self'; img-src 'self' data: blob:; "
                        + "style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
                .putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "no-referrer")
                .end(Buffer.buffer(html.getBytes(StandardCharsets.UTF_8)));
    }

    void notFound(RoutingContext rc, String message) {
        rc.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8").end(message);
    }

    private String template(String name) {
        return templates.computeIfAbsent(name, n -> {
            try (InputStream in = Pages.class.getResourceAsStream("/dashboard/" + n + ".html")) {
                if (in == null) {
                    throw new IllegalStateException("dashboard/" + n + ".html is not packaged");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read dashboard/" + n + ".html", e);
            }
        });
    }
}
