package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.RegisteredFleet;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listing parameters attacked over plain HTTP with a valid read-only token: SQL in the search
 * text and inside a well-formed cursor is matched as text (no row appears that should not, nothing
 * is changed), and requests for absurd amounts of work (a billion rows, a far page, a huge search,
 * thousands of watched devices) are refused before any is done.
 */
@Timeout(120)
class DeviceQueryAttackTest {
    private static final int N = 100;
    @TempDir
    Path dir;

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void searchTextAndCursorsNeverReachSqlAndWorkIsBounded() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient http = WebClient.create(vertx);
        try {
            result(RegisteredFleet.register(c.repository(), "lab", N));
            for (String attack : List.of("' OR '1'='1", "%' OR 1=1 --", "x'; DROP TABLE devices; --", "\\' OR 1=1 --",
                    "') OR ('a'='a", "\" OR \"\"=\"", "*/ OR 1=1 /*", "%%", "_%_")) {
                for (String path : List.of("/api/v1/devices?q=", "/api/v1/dashboard/fleet?q=")) {
                    HttpResponse<Buffer> r = result(http.get(c.httpPort(), "127.0.0.1", path + enc(attack))
                            .bearerTokenAuthentication(TestControllers.READER).send());
                    assertEquals(200, r.statusCode(), attack + ": " + r.bodyAsString());
                    assertEquals(0, r.bodyAsJsonObject().getJsonArray("devices").size(), path + attack);
                }
            }
            // a well-formed cursor whose value is SQL: bound as a value, so the page is what that text sorts after
            String value = "' OR 1=1 --";
            String cursor = Base64.getUrlEncoder().withoutPadding().encodeToString(("schedule:" + value)
                    .getBytes(StandardCharsets.UTF_8)) + "~dev-00001";
            HttpResponse<Buffer> r = result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices?sort=schedule&limit=1000&after="
                    + enc(cursor)).bearerTokenAuthentication(TestControllers.READER).send());
            assertEquals(200, r.statusCode(), r.bodyAsString());
            long after = IntStream.range(0, N).filter(i -> RegisteredFleet.schedule(i).compareTo(value) > 0).count();
            assertEquals(after, r.bodyAsJsonObject().getJsonArray("devices").size());

            // bounded work: refused with a 400 (or, past the HTTP line limit, a 414) before any query runs
            String longIds = IntStream.range(0, 5000).mapToObj(RegisteredFleet::id).collect(Collectors.joining(","));
            for (String path : List.of("/api/v1/devices?limit=1000000000", "/api/v1/devices?limit=-1",
                    "/api/v1/dashboard/fleet?limit=1000000", "/api/v1/dashboard/fleet?page=2000000000",
                    "/api/v1/dashboard/fleet?page=99999999999999999999", "/api/v1/devices?q=" + "a".repeat(3000),
                    "/api/v1/dashboard/fleet?q=" + "a".repeat(65), "/api/v1/dashboard/events?devices=" + longIds,
                    "/api/v1/dashboard/events?devices=" + IntStream.range(0, 201).mapToObj(RegisteredFleet::id)
                            .collect(Collectors.joining(",")))) {
                HttpResponse<Buffer> refused = result(http.get(c.httpPort(), "127.0.0.1", path)
                        .bearerTokenAuthentication(TestControllers.READER).send());
                assertTrue(refused.statusCode() == 400 || refused.statusCode() == 414,
                        path.substring(0, Math.min(80, path.length())) + " -> " + refused.statusCode());
            }

            // nothing changed: every device still listed once
            JsonObject all = result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices?limit=1000")
                    .bearerTokenAuthentication(TestControllers.READER).send()).bodyAsJsonObject();
            assertEquals(N, all.getJsonArray("devices").size());
            assertEquals(N / 5, result(http.get(c.httpPort(), "127.0.0.1", "/api/v1/devices?status=OFFLINE&limit=1000")
                    .bearerTokenAuthentication(TestControllers.READER).send()).bodyAsJsonObject().getJsonArray("devices").size());
        } finally {
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
