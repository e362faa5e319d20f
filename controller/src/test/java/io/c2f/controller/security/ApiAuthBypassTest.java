package io.c2f.controller.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tries to reach the token-guarded API around its guard, from outside, with hand-written HTTP/1.1
 * requests (no client library normalises these paths first): doubled slashes, dot segments,
 * encoded dots and slashes, path parameters, the absolute-URI request form, other methods, tokens
 * in the query string and malformed Authorization headers. None may answer 200 without a valid token,
 * and a read-only token may not change anything.
 */
@Timeout(120)
class ApiAuthBypassTest {
    @TempDir
    static Path dir;
    static Vertx vertx;
    static Controller controller;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        controller = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
    }

    @AfterAll
    static void stop() throws Exception {
        if (controller != null) {
            io.c2f.controller.testing.Await.result(controller.stop());
        }
        if (vertx != null) {
            vertx.close();
        }
    }

    @Test
    void theGuardHoldsForEveryWayOfSpellingAProtectedPath() throws Exception {
        List<String> paths = List.of("/api/v1/devices", "//api/v1/devices", "/api/v1//devices", "/api//v1/devices",
                "/api/v1/./devices", "/api/v1/x/../devices", "/x/../api/v1/devices", "/./api/v1/devices",
                "/api/v1/%2e%2e/v1/devices", "/api/v1/%2E/devices", "/api%2fv1%2fdevices", "/api/v1%2fdevices",
                "/api/v1/devices;x=1", "/api/v1/devices/", "/api/v1/devices?", "/api/v1/devices#x",
                "/API/v1/devices", "/api/V1/devices", "/api/v1/dashboard/fleet", "/api/v1/dashboard/events",
                "/api/v1/bundles", "/api/v1/rollouts", "/api/v1/models", "/api/v1/images/x.png",
                "/api/v1/images/..%2f..%2fdevices", "/api/v1/keys/bundle-signing/../../v1/devices",
                "/dashboard/assets/../../api/v1/devices", "/dashboard/assets/%2e%2e/%2e%2e/api/v1/devices",
                "/api/v1/devices?access_token=" + TestControllers.ADMIN,
                "http://127.0.0.1/api/v1/devices", "http://127.0.0.1//api/v1/devices");
        List<String> leaks = new ArrayList<>();
        for (String path : paths) {
            for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE")) {
                int status = status(exchange(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 0\r\nConnection: close\r\n\r\n"));
                if (status / 100 == 2) {
                    leaks.add(method + " " + path + " -> " + status);
                }
            }
        }
        assertTrue(leaks.isEmpty(), "answered without a token: " + leaks);
    }

    @Test
    void malformedOrForeignAuthorizationHeadersAreRefused() throws Exception {
        List<String> headers = List.of("Authorization: Bearer", "Authorization: Bearer ",
                "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("ops:" + TestControllers.ADMIN).getBytes(StandardCharsets.UTF_8)),
                "Authorization: Bearer " + TestControllers.ADMIN + "x",
                "Authorization: Bearer " + TestControllers.ADMIN.substring(1),
                "Authorization: Bearer " + TestControllers.ADMIN.toUpperCase(java.util.Locale.ROOT),
                "Authorization: Token " + TestControllers.ADMIN,
                "X-Authorization: Bearer " + TestControllers.ADMIN,
                "Cookie: token=" + TestControllers.ADMIN);
        for (String h : headers) {
            int status = status(exchange("GET /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\n" + h
                    + "\r\nConnection: close\r\n\r\n"));
            assertEquals(401, status, h);
        }
        // the baseline: the same request with the real token works, so the refusals above mean something
        assertEquals(200, status(exchange("GET /api/v1/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + TestControllers.ADMIN + "\r\nConnection: close\r\n\r\n")));
    }

    @Test
    void aReadOnlyTokenChangesNothingWhateverThePathSpelling() throws Exception {
        List<String> writes = List.of("POST /api/v1/rollouts", "POST //api/v1/rollouts", "POST /api/v1/./rollouts",
                "POST /api/v1/bundles", "POST /api/v1/models", "PUT /api/v1/devices/d1/target",
                "DELETE /api/v1/devices/d1/target", "POST /api/v1/devices/d1/generate",
                "POST /api/v1/rollouts/r1/abort", "PUT /api/v1/models/m1/card");
        List<String> allowed = new ArrayList<>();
        for (String w : writes) {
            int status = status(exchange(w + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + TestControllers.READER + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\n{}"));
            if (status != 403 && status != 404 && status != 400) {
                allowed.add(w + " -> " + status);
            }
        }
        assertTrue(allowed.isEmpty(), "a read-only token got past the role check: " + allowed);
    }

    private static String exchange(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", controller.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException e) {
                // keep what arrived (a stream that stays open)
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private static int status(String response) {
        if (!response.startsWith("HTTP/1.")) {
            return -1; // connection closed or not HTTP: not a leak
        }
        return Integer.parseInt(response.substring(9, 12));
    }
}
