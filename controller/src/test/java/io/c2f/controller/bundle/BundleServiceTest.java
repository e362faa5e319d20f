package io.c2f.controller.bundle;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.config.ConfigLoader;
import io.c2f.controller.config.ControllerConfig;
import io.c2f.controller.store.Database;
import io.c2f.proto.bundle.BundlePayload;
import io.c2f.proto.bundle.ManifestSigning;
import io.c2f.proto.bundle.Sha256;
import io.c2f.proto.v1.BundleManifest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import io.c2f.controller.files.ModelsDirectory;
import io.c2f.controller.signing.BundleSigningKey;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Packing, signing and storing bundles on a real (H2) database and data dir. */
@ExtendWith(VertxExtension.class)
class BundleServiceTest {
    @TempDir
    Path dir;
    private Database db;
    private BundleService service;
    private BundleSigningKey key;
    private byte[] model;

    @BeforeEach
    void setUp(Vertx vertx) throws Exception {
        ControllerConfig config = ConfigLoader.fromMap(Map.of("fleet", "lab", "data.dir", dir.resolve("data").toString()));
        db = Database.open(vertx, config);
        key = BundleSigningKey.loadOrCreate(config.dataDir());
        service = new BundleService(vertx, db, new PayloadStore(BundleService.payloadDir(config.dataDir()), 1 << 20),
                key, Clock.systemUTC());
        model = new byte[200_000];
        new Random(3).nextBytes(model);
        models = ModelsDirectory.open(dir.resolve("models"));
        Files.write(dir.resolve("models/m.tflite"), model);
    }

    private ModelsDirectory models;

    private BundleRequest parse(JsonObject body) {
        return BundleRequest.fromJson(body, models, Optional.empty(), 1 << 20);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private JsonObject request(String version) {
        JsonObject res8 = new JsonObject().put("height", 8).put("width", 8);
        JsonObject res16 = new JsonObject().put("height", 16).put("width", 16);
        return new JsonObject().put("name", "unet-s").put("version", version).put("modelName", "m.tflite")
                .put("modelInfo", new JsonObject().put("name", "unet-s").put("resolutions",
                        new JsonArray().add(res8).add(res16)))
                .put("schedules", new JsonArray().add(new JsonObject().put("scheduleId", "c2f-k4")
                        .put("timesteps", new JsonArray(List.of(900, 600, 300, 0))).put("switchIndex", 2)
                        .put("lowResolution", res8).put("highResolution", res16)
                        .put("switchMethod", "SWITCH_METHOD_RENOISE_X0").put("interpolation", "INTERPOLATION_NEAREST")
                        .put("sampler", "SAMPLER_DDIM")))
                .put("probe", new JsonObject().put("seed", 7).put("minPsnrDb", 30));
    }

    @Test
    void packsSignsAndStoresContentAddressed() throws Exception {
        BundleRecord b = result(service.create(parse(request("1.0.0"))));
        assertEquals("unet-s-1.0.0", b.id());
        BundleManifest m = ManifestSigning.verify(b.signedManifest(), key.pair().getPublic());
        assertEquals(Sha256.hex(model), m.getModel().getModelSha256(), "the manifest names the model it ships");
        assertEquals(4, m.getChunkCount()); // 200 000 bytes in 64 KiB chunks
        assertEquals("c2f-k4", m.getDefaultScheduleId());
        assertEquals(7, m.getProbe().getSeed());
        Path stored = BundleService.payloadDir(dir.resolve("data")).resolve(b.payloadSha256());
        assertTrue(Files.isRegularFile(stored));
        byte[] payload = service.payload(b);
        for (int i = 0; i < m.getChunkCount(); i++) {
            int from = i * m.getChunkSize();
            BundlePayload.verifyChunk(m, i, java.util.Arrays.copyOfRange(payload, from,
                    Math.min(payload.length, from + m.getChunkSize())));
        }
        var files = BundlePayload.unpack(m, payload);
        assertEquals("model.tflite", files.get(0).getKey());
        assertArrayEquals(model, files.get(0).getValue());
        assertEquals(b, result(service.find(b.id())).orElseThrow());
        assertEquals(1, result(service.list()).size());
    }

    /** Bytes that look like an ONNX ModelProto (ir_version first) and are otherwise random. */
    private static byte[] onnxLike(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        b[0] = 0x08;
        return b;
    }

    @Test
    void theOnnxModelBesideTheTfliteTravelsInTheBundleListedAndSigned() throws Exception {
        byte[] onnx = onnxLike(90_000, 5);
        Files.write(dir.resolve("models/m.onnx"), onnx);
        BundleRecord b = result(service.create(parse(request("1.0.0"))));
        BundleManifest m = ManifestSigning.verify(b.signedManifest(), key.pair().getPublic());
        assertEquals(List.of("model.tflite", "model.onnx"), m.getFilesList().stream().map(f -> f.getPath()).toList());
        assertEquals(Sha256.hex(onnx), m.getFiles(1).getSha256());
        assertEquals(onnx.length, m.getFiles(1).getSizeBytes());
        var files = BundlePayload.unpack(m, service.payload(b));
        assertArrayEquals(onnx, files.get(1).getValue());
        assertEquals(List.of("tflite model.tflite " + Sha256.hex(model), "onnx model.onnx " + Sha256.hex(onnx)),
                m.getModel().getModelFilesList().stream().map(f -> f.getEngine() + " " + f.getPath() + " "
                        + f.getSha256()).toList(), "the ModelInfo describes exactly the files shipped");

        BundleRecord without = result(service.create(parse(request("1.0.1").put("onnx", false))));
        BundleManifest m2 = ManifestSigning.verify(without.signedManifest(), key.pair().getPublic());
        assertEquals(List.of("model.tflite"), m2.getFilesList().stream().map(f -> f.getPath()).toList(),
                "\"onnx\": false leaves it out");
    }

    @Test
    void aBadOrMissingOnnxModelIsRefusedNamingWhatIsWrong() throws Exception {
        Files.write(dir.resolve("models/m.onnx"), new byte[] {0x50, 0x4b, 3, 4});
        assertEquals("the ONNX model 'm.onnx' beside modelName is not an ONNX model (an ONNX ModelProto starts with "
                + "its ir_version field)", assertThrows(RequestException.class,
                () -> parse(request("1.0.0"))).getMessage());
        Files.write(dir.resolve("models/m.onnx"), new byte[0]);
        assertEquals("the ONNX model 'm.onnx' beside modelName is empty", assertThrows(RequestException.class,
                () -> parse(request("1.0.0"))).getMessage());
        RequestException missing = assertThrows(RequestException.class,
                () -> parse(request("1.0.0").put("onnxName", "other.onnx")));
        assertEquals("onnxName 'other.onnx' does not exist in the models directory", missing.getMessage());
        assertEquals("give at most one of onnxName, onnxBase64 and onnx: false", assertThrows(RequestException.class,
                () -> parse(request("1.0.0").put("onnx", false).put("onnxName", "m.onnx"))).getMessage());
        assertEquals("onnxBase64 is not base64", assertThrows(RequestException.class,
                () -> parse(request("1.0.0").put("onnxBase64", "%%%"))).getMessage());
        Files.write(dir.resolve("models/m.onnx"), onnxLike(1000, 9));
        JsonObject otherModel = request("1.0.0");
        otherModel.getJsonObject("modelInfo").put("modelFiles", new JsonArray().add(new JsonObject()
                .put("engine", "onnx").put("path", "model.onnx").put("sha256", "00".repeat(32))));
        RequestException mismatch = assertThrows(RequestException.class,
                () -> result(service.create(parse(otherModel))));
        assertEquals("modelInfo.modelFiles lists a sha256 for engine onnx that is not the onnx model's: the model "
                + "files and their ModelInfo belong to different models", mismatch.getMessage());
        RequestException escape = assertThrows(RequestException.class,
                () -> parse(request("1.0.0").put("onnxName", "../../etc/x.onnx")));
        assertFalse(escape.getMessage().contains(dir.toString()), "no server path in the error: " + escape.getMessage());
    }

    @Test
    void keyIsOwnerOnlyAndStableAcrossStarts() throws Exception {
        Path priv = dir.resolve("data/keys/bundle-signing.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertEquals(key.keyId(), BundleSigningKey.loadOrCreate(dir.resolve("data")).keyId());
        assertTrue(key.publicPem().startsWith("-----BEGIN PUBLIC KEY-----"));
    }

    @Test
    void refusesWhatIsWrongNamingIt() throws Exception {
        result(service.create(parse(request("1.0.0"))));
        RequestException dup = assertThrows(RequestException.class,
                () -> result(service.create(parse(request("1.0.0")))));
        assertEquals(RequestException.Kind.CONFLICT, dup.kind());

        JsonObject wrongSha = request("1.0.1");
        wrongSha.getJsonObject("modelInfo").put("modelSha256", "00".repeat(32));
        RequestException sha = assertThrows(RequestException.class,
                () -> result(service.create(parse(wrongSha))));
        assertTrue(sha.getMessage().contains("modelInfo.modelSha256"), sha.getMessage());
        assertFalse(sha.getMessage().contains(Sha256.hex(model)), "no hash of the file in the error: " + sha.getMessage());

        RequestException dflt = assertThrows(RequestException.class,
                () -> result(service.create(parse(request("1.0.2").put("defaultScheduleId", "x")))));
        assertTrue(dflt.getMessage().contains("defaultScheduleId 'x'"), dflt.getMessage());

        JsonObject noRes = request("1.0.3");
        noRes.getJsonObject("modelInfo").put("resolutions", new JsonArray().add(new JsonObject().put("height", 8)
                .put("width", 8)));
        RequestException res = assertThrows(RequestException.class,
                () -> result(service.create(parse(noRes))));
        assertTrue(res.getMessage().contains("16x16"), res.getMessage());

        RequestException version = assertThrows(RequestException.class,
                () -> parse(request("1.0")));
        assertTrue(version.getMessage().startsWith("version"), version.getMessage());
        JsonObject byPath = request("1.0.4");
        byPath.remove("modelName");
        byPath.put("modelPath", dir.resolve("models/m.tflite").toString());
        RequestException path = assertThrows(RequestException.class, () -> parse(byPath));
        assertTrue(path.getMessage().startsWith("modelPath is not accepted"), path.getMessage());
        assertTrue(path.getMessage().contains("modelName"), "says what to use instead: " + path.getMessage());
        RequestException badSchedule = assertThrows(RequestException.class, () -> {
            JsonObject r = request("1.0.5");
            r.getJsonArray("schedules").getJsonObject(0).put("timesteps", new JsonArray(List.of(300, 600)));
            parse(r);
        });
        assertTrue(badSchedule.getMessage().contains("timesteps"), badSchedule.getMessage());
        // the switch's noise and low-phase time are schedule data too: values no device knows are refused
        for (Object bogus : List.<Object>of(7, "SWITCH_NOISE_BOGUS")) {
            RequestException noise = assertThrows(RequestException.class, () -> {
                JsonObject r = request("1.0.6");
                r.getJsonArray("schedules").getJsonObject(0).put("switchNoise", bogus);
                parse(r);
            });
            assertTrue(noise.getMessage().contains("switch_noise") || noise.getMessage().contains("SwitchNoise"),
                    noise.getMessage());
        }
        RequestException lowTime = assertThrows(RequestException.class, () -> {
            JsonObject r = request("1.0.7");
            r.getJsonArray("schedules").getJsonObject(0).put("lowPhaseTime", 9);
            parse(r);
        });
        assertTrue(lowTime.getMessage().contains("low_phase_time"), lowTime.getMessage());
    }
}
