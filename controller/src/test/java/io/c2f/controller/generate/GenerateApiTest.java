package io.c2f.controller.generate;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.FakeDevice;
import io.c2f.proto.v1.ErrorCode;
import io.c2f.proto.v1.ErrorDetail;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.GenerateResult;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/devices/{id}/generate} against a real controller (embedded broker, H2) and a
 * fake device answering over MQTT: the image comes back as a URL serving the device's PNG byte for
 * byte, stored once per content; the request the device got carries the seed, schedule and count;
 * unknown (404), offline (409), bad input (400), read-only token (403), silent device (504) and
 * failing device (502) get precise answers.
 */
@Timeout(120)
class GenerateApiTest {
    private static final String ADMIN = TestControllers.ADMIN;
    private static final String READER = TestControllers.READER;
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> r, String token, JsonObject body) throws Exception {
        r.bearerTokenAuthentication(token);
        return result(body == null ? r.send() : r.sendJsonObject(body));
    }

    private static String error(HttpResponse<Buffer> r) {
        return r.bodyAsJsonObject().getString("error");
    }

    @Test
    void generateOnADeviceStoreAndServeTheImage() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient web = WebClient.create(vertx);
        int port = c.httpPort();
        List<GenerateRequest> got = new CopyOnWriteArrayList<>();
        try (FakeDevice dev = new FakeDevice(c.mqttUrl(), "lab", "rpi-01");
             FakeDevice quiet = new FakeDevice(c.mqttUrl(), "lab", "rpi-02")) {
            dev.connect(1);
            dev.birth();
            quiet.connect(1);
            quiet.birth();
            dev.answerGenerates(req -> {
                got.add(req);
                return FakeDevice.pngPerSeed(req);
            });
            until(() -> web.get(port, "127.0.0.1", "/api/v1/devices").bearerTokenAuthentication(ADMIN).send()
                    .map(r -> r.bodyAsJsonObject().getJsonArray("devices").size()), n -> n == 2, WAIT, "2 devices");

            HttpResponse<Buffer> ok = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 42).put("scheduleId", "trd-k8-c2f").put("count", 2));
            assertEquals(200, ok.statusCode(), ok.bodyAsString());
            JsonObject body = ok.bodyAsJsonObject();
            assertEquals(2, body.getJsonArray("images").size());
            JsonObject first = body.getJsonArray("images").getJsonObject(0);
            assertEquals(42L, first.getLong("seed"));
            assertEquals("trd-k8-c2f", first.getString("scheduleId"));
            assertEquals(1, got.size());
            assertEquals(42L, got.get(0).getSeed());
            assertEquals(2, got.get(0).getCount());
            assertEquals("trd-k8-c2f", got.get(0).getScheduleId());
            assertEquals(body.getString("requestId"), got.get(0).getRequestId());
            assertTrue(got.get(0).getDeadlineMs() > 0);

            // the URL serves the device's PNG, byte for byte, named by its sha256
            HttpResponse<Buffer> png = send(web.get(port, "127.0.0.1", first.getString("url")), READER, null);
            assertEquals(200, png.statusCode());
            assertEquals("image/png", png.getHeader("content-type"));
            byte[] expected = FakeDevice.pngPerSeed(GenerateRequest.newBuilder().setSeed(42).setCount(1).build())
                    .getImages(0).getPng().toByteArray();
            assertArrayEquals(expected, png.body().getBytes());
            assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected)), first.getString("sha256"));
            assertNotEquals(first.getString("sha256"), body.getJsonArray("images").getJsonObject(1).getString("sha256"));

            // the same seed again: the same content, stored once
            JsonObject again = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 42)).bodyAsJsonObject();
            assertEquals(first.getString("sha256"), again.getJsonArray("images").getJsonObject(0).getString("sha256"));
            assertEquals("", got.get(1).getScheduleId(), "no schedule given: the device's default");
            try (var files = Files.walk(dir.resolve("data").resolve("images"))) {
                assertEquals(2, files.filter(p -> p.toString().endsWith(".png")).count());
            }
            JsonObject recent = send(web.get(port, "127.0.0.1", "/api/v1/devices/rpi-01/images?limit=10"), READER, null)
                    .bodyAsJsonObject();
            assertEquals(3, recent.getJsonArray("images").size());
            assertEquals(again.getString("requestId"), recent.getJsonArray("images").getJsonObject(0).getString("requestId"));

            // bad input, precisely
            HttpResponse<Buffer> r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", -1));
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("seed must be an integer in [0, 9007199254740991], got -1"), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN, new JsonObject().put("seed", "7"));
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("got the string \"7\""), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN, new JsonObject());
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("seed is required"), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 1).put("count", 99));
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("count must be an integer in [1, 8], got 99"), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 1).put("steps", 8).put("scheduleId", "x"));
            assertEquals(400, r.statusCode());
            assertTrue(error(r).contains("scheduleId or steps, not both"), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 1).put("steps", 8));
            assertEquals(409, r.statusCode());
            assertTrue(error(r).contains("reports no installed model"), error(r));
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/nobody/generate"), ADMIN, new JsonObject().put("seed", 1));
            assertEquals(404, r.statusCode());
            assertTrue(error(r).contains("device 'nobody' is not registered in fleet 'lab'"), error(r));
            assertEquals(403, send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), READER,
                    new JsonObject().put("seed", 1)).statusCode());
            assertEquals(404, send(web.get(port, "127.0.0.1", "/api/v1/images/" + "0".repeat(64) + ".png"), READER, null)
                    .statusCode());
            assertEquals(404, send(web.get(port, "127.0.0.1", "/api/v1/images/..%2F..%2Fdb.png"), READER, null).statusCode());

            // steps: resolved against the catalog of the model installed on the device (matched by sha256)
            JsonObject syn = send(web.post(port, "127.0.0.1", "/api/v1/models"), ADMIN,
                    new JsonObject().put("id", "syn").put("source", "synthetic")).bodyAsJsonObject();
            assertEquals(200, send(web.post(port, "127.0.0.1", "/api/v1/models/syn/schedules"), ADMIN, new JsonObject()
                    .put("catalogDir", TestControllers.intoModelsDir(dir, Path.of("..", "schedules", "catalog").toAbsolutePath().normalize()))).statusCode());
            dev.birthWithModel(syn.getString("modelSha256"));
            until(() -> web.get(port, "127.0.0.1", "/api/v1/devices/rpi-01").bearerTokenAuthentication(ADMIN).send()
                    .map(x -> x.bodyAsString()), t -> t.contains(syn.getString("modelSha256")), WAIT, "the model sha stored");
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 9).put("steps", 10));
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertTrue(List.of("uniform-k10-32", "quadratic-k10-32").contains(got.get(got.size() - 1).getScheduleId()),
                    got.get(got.size() - 1).getScheduleId());
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-01/generate"), ADMIN,
                    new JsonObject().put("seed", 9).put("steps", 7));
            assertEquals(400, r.statusCode());
            assertEquals("model syn has no schedule of 7 steps; its catalog has [10, 20] steps", error(r));

            // a device that does not answer: 504 after the timeout, naming device and request
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-02/generate"), ADMIN,
                    new JsonObject().put("seed", 5).put("timeoutSeconds", 1));
            assertEquals(504, r.statusCode());
            assertTrue(error(r).matches("device 'rpi-02' did not answer generate request gen-[0-9a-f]{24} within 1\\.0 s.*"),
                    error(r));
            // a device that answers with an error: 502 with its message
            quiet.answerGenerates(req -> GenerateResult.newBuilder().setRequestId(req.getRequestId())
                    .setError(ErrorDetail.newBuilder().setCode(ErrorCode.ERROR_CODE_NOT_FOUND)
                            .setMessage("schedule 'nope' is not installed").setField("schedule_id")).build());
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-02/generate"), ADMIN,
                    new JsonObject().put("seed", 5).put("scheduleId", "nope"));
            assertEquals(502, r.statusCode());
            assertEquals("device 'rpi-02' could not generate: NOT_FOUND: schedule 'nope' is not installed", error(r));

            // an offline device: 409
            quiet.dropConnection();
            until(() -> web.get(port, "127.0.0.1", "/api/v1/devices/rpi-02").bearerTokenAuthentication(ADMIN).send()
                    .map(x -> x.bodyAsJsonObject().getString("status")), "OFFLINE"::equals, WAIT, "rpi-02 offline");
            r = send(web.post(port, "127.0.0.1", "/api/v1/devices/rpi-02/generate"), ADMIN, new JsonObject().put("seed", 5));
            assertEquals(409, r.statusCode());
            assertTrue(error(r).startsWith("device 'rpi-02' is offline"), error(r));
        } finally {
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
