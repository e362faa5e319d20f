package io.c2f.controller.security;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.SyntheticBundleRequest;
import io.c2f.controller.config.ConfigException;
import io.c2f.controller.metrics.ControllerMetrics;
import io.c2f.controller.retune.RetuneSettings;
import io.c2f.controller.rollout.RolloutSettings;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.bundle.Sha256;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, finding 2: the HTTP API opens no file a caller names outside the models directory.
 * A real controller (H2, embedded broker) is asked over real HTTP for the signing key, /etc/passwd,
 * traversals and links out of the models directory, through every field of the bundle and model
 * routes that names a file; each gets a 400 naming the field, and no answer carries a byte, a line
 * or a hash of the file it named.
 */
@Timeout(120)
class FileRequestSecurityTest {
    private static final int UPLOAD_CAP = 64 * 1024;

    @TempDir
    Path dir;
    private Vertx vertx;
    private Controller controller;
    private WebClient http;
    private Path models;
    private Path key;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        controller = result(Controller.start(vertx, TestControllers.localConfig(dir)
                        .with(Map.of("models.upload.max.bytes", Integer.toString(UPLOAD_CAP))), ControllerMetrics.NOOP,
                new Controller.Options(TestControllers.adminAndReader(), RetuneSettings.defaults(), 1,
                        RolloutSettings.defaults())));
        http = WebClient.create(vertx);
        models = controller.models().root();
        key = dir.resolve("data/keys/bundle-signing.key").toRealPath();
        Files.write(models.resolve("good.tflite"), new byte[3000]);
        Files.createSymbolicLink(models.resolve("key.tflite"), key);
        Files.createSymbolicLink(models.resolve("passwd.json"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(models.resolve("outside"), dir.resolve("data/keys"));
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        result(controller.stop());
        result(vertx.close());
    }

    private HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
        return result(http.post(controller.httpPort(), "127.0.0.1", path)
                .bearerTokenAuthentication(TestControllers.ADMIN).sendJsonObject(body));
    }

    private static JsonObject bundle(String version) {
        JsonObject b = SyntheticBundleRequest.of(1000, 1, "probe", version);
        b.remove("modelBase64");
        return b;
    }

    /** A 400 naming the field, without any part of the key, /etc/passwd or their hashes. */
    private void refused(HttpResponse<Buffer> r, String field) throws Exception {
        String body = r.bodyAsString();
        assertEquals(400, r.statusCode(), body);
        String error = r.bodyAsJsonObject().getString("error");
        assertTrue(error.contains(field), "names the field " + field + ": " + error);
        byte[] keyBytes = Files.readAllBytes(key);
        String keyText = new String(keyBytes, StandardCharsets.US_ASCII);
        assertFalse(body.contains("PRIVATE KEY") || body.contains(keyText.lines().skip(1).findFirst().orElseThrow()),
                "no key material: " + body);
        assertFalse(body.contains(Sha256.hex(keyBytes)), "no hash of the key: " + body);
        byte[] passwd = Files.readAllBytes(Path.of("/etc/passwd"));
        assertFalse(body.contains("root:") || body.contains(Sha256.hex(passwd)), "nothing of /etc/passwd: " + body);
        assertFalse(body.contains(dir.resolve("data/keys").toString()) || body.contains(key.toString()),
                "no server path outside the models directory: " + body);
    }

    @Test
    void aBundleRequestNamingAFileOutsideTheModelsDirectoryIsRefusedWithoutEchoingIt() throws Exception {
        Map<String, Consumer<JsonObject>> attacks = new java.util.LinkedHashMap<>();
        attacks.put("modelName", b -> b.put("modelName", key.toString()));
        attacks.put("modelName ", b -> b.put("modelName", "/etc/passwd"));
        attacks.put("modelName  ", b -> b.put("modelName", "../keys/bundle-signing.key"));
        attacks.put("modelName   ", b -> b.put("modelName", "good.tflite/../../keys/bundle-signing.key"));
        attacks.put("modelName    ", b -> b.put("modelName", "key.tflite"));
        attacks.put("modelName     ", b -> b.put("modelName", "outside/bundle-signing.key"));
        attacks.put("modelInfoName", b -> b.put("modelName", "good.tflite").put("modelInfoName", "passwd.json")
                .remove("modelInfo"));
        attacks.put("modelInfoName ", b -> b.put("modelName", "good.tflite").put("modelInfoName", "/etc/passwd")
                .remove("modelInfo"));
        attacks.put("scheduleNames[0]", b -> b.put("modelName", "good.tflite")
                .put("scheduleNames", new JsonArray().add("../../../../etc/passwd")));
        attacks.put("scheduleNames[0] ", b -> b.put("modelName", "good.tflite")
                .put("scheduleNames", new JsonArray().add("key.tflite")));
        attacks.put("probe.referencePngName", b -> b.put("modelName", "good.tflite").put("probe", new JsonObject()
                .put("seed", 1).put("referencePngName", "key.tflite")));
        attacks.put("modelPath", b -> b.put("modelPath", key.toString()));
        attacks.put("modelInfoPath", b -> b.put("modelName", "good.tflite").put("modelInfoPath", "/etc/passwd"));
        attacks.put("schedulePaths", b -> b.put("modelName", "good.tflite").put("schedulePaths",
                new JsonArray().add("/etc/passwd")));
        attacks.put("referencePngPath", b -> b.put("modelName", "good.tflite").put("probe", new JsonObject()
                .put("seed", 1).put("referencePngPath", key.toString())));
        int i = 0;
        for (Map.Entry<String, Consumer<JsonObject>> a : attacks.entrySet()) {
            JsonObject body = bundle("1.0." + i++);
            a.getValue().accept(body);
            refused(post("/api/v1/bundles", body), a.getKey().trim());
        }
        assertEquals(0, result(http.get(controller.httpPort(), "127.0.0.1", "/api/v1/bundles")
                .bearerTokenAuthentication(TestControllers.ADMIN).send()).bodyAsJsonObject().getJsonArray("bundles")
                .size(), "no bundle was made");
    }

    @Test
    void aModelIsTakenFromAnUploadOrByNameFromTheModelsDirectoryAndAnUploadOverTheCapIsRefused() throws Exception {
        JsonObject uploaded = SyntheticBundleRequest.of(UPLOAD_CAP / 2, 1, "up", "1.0.0");
        assertEquals(201, post("/api/v1/bundles", uploaded).statusCode());

        JsonObject named = bundle("1.0.0").put("name", "named").put("modelName", "good.tflite");
        HttpResponse<Buffer> ok = post("/api/v1/bundles", named);
        assertEquals(201, ok.statusCode(), ok.bodyAsString());
        assertEquals(Sha256.hex(new byte[3000]), ok.bodyAsJsonObject().getString("modelSha256"));

        HttpResponse<Buffer> tooBig = post("/api/v1/bundles", SyntheticBundleRequest.of(UPLOAD_CAP + 1, 1, "big", "1.0.0"));
        assertEquals(400, tooBig.statusCode(), tooBig.bodyAsString());
        assertTrue(tooBig.bodyAsString().contains("models.upload.max.bytes"), tooBig.bodyAsString());
        HttpResponse<Buffer> wayTooBig = post("/api/v1/bundles", SyntheticBundleRequest.of(UPLOAD_CAP * 200, 1, "big", "1.0.1"));
        assertEquals(413, wayTooBig.statusCode(), "the body handler stops it before it is read whole");

        Files.write(models.resolve("big.tflite"), new byte[UPLOAD_CAP + 1]);
        refused(post("/api/v1/bundles", bundle("1.0.2").put("name", "big").put("modelName", "big.tflite")), "modelName");
    }

    @Test
    void modelRegistrationAndCatalogsNameOnlyFilesOfTheModelsDirectory() throws Exception {
        Files.createDirectories(models.resolve("cat"));
        Files.createSymbolicLink(models.resolve("cat-out"), Path.of("/etc"));
        for (String source : List.of(key.toString(), "/etc/passwd", "../keys/bundle-signing.key", "key.tflite",
                "outside/x.tflite", "../../../../../../etc/hostname.tflite")) {
            refused(post("/api/v1/models", new JsonObject().put("id", "m").put("source", source)), "source");
        }
        assertEquals(201, post("/api/v1/models", new JsonObject().put("id", "syn").put("source", "synthetic"))
                .statusCode());
        for (String catalog : List.of("/etc", "..", "../keys", "cat-out", "outside")) {
            refused(post("/api/v1/models/syn/schedules", new JsonObject().put("catalogDir", catalog)), "catalogDir");
        }
        Files.createSymbolicLink(models.resolve("cat/passwd.json"), Path.of("/etc/passwd"));
        refused(post("/api/v1/models/syn/schedules", new JsonObject().put("catalogDir", "cat")), "catalogDir");
    }

    @Test
    void theControllerRefusesToStartWhenADirectoryItServesContainsTheSigningKey() {
        Throwable e = assertThrows(Exception.class, () -> result(Controller.start(vertx,
                TestControllers.localConfig(dir.resolve("other")).with(Map.of("models.dir",
                        dir.resolve("other/data").toString())), ControllerMetrics.NOOP)));
        while (!(e instanceof ConfigException) && e.getCause() != null) {
            e = e.getCause();
        }
        assertTrue(e instanceof ConfigException, String.valueOf(e));
        assertTrue(e.getMessage().contains("models.dir") && e.getMessage().contains("bundle-signing key"), e.getMessage());
    }

    @Test
    void theSigningKeyIsOwnerOnlyEvenWhenFoundLooser() throws Exception {
        Path keys = dir.resolve("data/keys");
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        io.c2f.controller.signing.BundleSigningKey.loadOrCreate(dir.resolve("data"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }
}
