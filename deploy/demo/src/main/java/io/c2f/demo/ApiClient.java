package io.c2f.demo;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The controller's HTTP API as the scenario uses it: blocking calls for a scenario thread (never
 * an event loop), JSON in and out, and an {@link ApiException} naming the call when the status is
 * not the expected one. The scenario drives the controller only through this API and MQTT, as an
 * operator's tool would.
 */
public final class ApiClient implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final WebClient http;
    private final String host;
    private final int port;
    private final String token;

    /** @param token the bearer token every call sends; null: none (a controller without API tokens) */
    public ApiClient(Vertx vertx, String host, int port, String token) {
        this.http = WebClient.create(vertx, new WebClientOptions().setDefaultHost(host).setDefaultPort(port));
        this.host = host;
        this.port = port;
        this.token = token;
    }

    private HttpRequest<Buffer> authorized(HttpRequest<Buffer> request) {
        return token == null ? request : request.bearerTokenAuthentication(token);
    }

    /** An unexpected answer of the API. */
    public static final class ApiException extends RuntimeException {
        public ApiException(String message) {
            super(message);
        }
    }

    public String baseUrl() {
        return "http://" + host + ":" + port;
    }

    public JsonObject get(String path) {
        return expect(authorized(http.get(path)), null, 200, "GET " + path);
    }

    public String getText(String path) {
        HttpResponse<Buffer> r = await(authorized(http.get(path)).send(), "GET " + path);
        check(r, 200, "GET " + path);
        return r.bodyAsString();
    }

    public JsonObject post(String path, JsonObject body, int status) {
        return expect(authorized(http.post(path)), body, status, "POST " + path);
    }

    public JsonObject put(String path, JsonObject body, int status) {
        return expect(authorized(http.put(path)), body, status, "PUT " + path);
    }

    private JsonObject expect(HttpRequest<Buffer> request, JsonObject body, int status, String what) {
        HttpResponse<Buffer> r = await(body == null ? request.send() : request.sendJsonObject(body), what);
        check(r, status, what);
        String text = r.bodyAsString();
        return text == null || text.isEmpty() ? new JsonObject() : new JsonObject(text);
    }

    private static void check(HttpResponse<Buffer> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new ApiException(what + ": HTTP " + r.statusCode() + " (expected " + status + "): " + r.bodyAsString());
        }
    }

    static <T> T await(Future<T> f, String what) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ApiException(what + " failed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new ApiException(what + ": no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(what + ": interrupted");
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
