package io.c2f.controller.model;

import static io.c2f.controller.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.TestControllers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model cards and rank reports through the API of a real controller (H2): the card beside a
 * registered .tflite is picked up, a card can be replaced and comes back rendered and escaped, a
 * rank report (the real rank.csv of the emoji32-c2f model) is attached and read back with its
 * recommended switch, and bad input gets the status and message that say what was wrong.
 */
@Timeout(120)
class ModelDocumentsApiTest {
    private static final String ADMIN = TestControllers.ADMIN;
    private static final String READER = TestControllers.READER;
    static final Path ZOO_MODEL = Path.of("..", "models", "zoo", "emoji32-c2f", "model.tflite").toAbsolutePath().normalize();
    static final Path RANK_CSV = Path.of("src", "test", "resources", "rank", "emoji32-c2f-rank.csv");

    @TempDir
    Path dir;

    private static HttpResponse<Buffer> send(HttpRequest<Buffer> r, String token, JsonObject body) throws Exception {
        r.bearerTokenAuthentication(token);
        return result(body == null ? r.send() : r.sendJsonObject(body));
    }

    @Test
    void cardAndRankReportOfAModel() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient web = WebClient.create(vertx);
        int port = c.httpPort();
        try {
            // registering the zoo's .tflite stores the MODEL_CARD.md beside it
            HttpResponse<Buffer> reg = send(web.post(port, "127.0.0.1", "/api/v1/models"), ADMIN,
                    new JsonObject().put("id", "emoji32-c2f").put("source", TestControllers.intoModelsDir(dir, ZOO_MODEL)));
            assertEquals(201, reg.statusCode(), reg.bodyAsString());
            JsonObject card = send(web.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/card"), READER, null).bodyAsJsonObject();
            assertTrue(card.getString("source").endsWith("MODEL_CARD.md"), card.getString("source"));
            assertTrue(card.getString("html").startsWith("<h1>emoji32-c2f"), card.getString("html").substring(0, 60));
            assertEquals(Files.readString(ZOO_MODEL.resolveSibling("MODEL_CARD.md")), card.getString("markdown"));

            // no rank analysis yet: 404 that says how to attach one
            HttpResponse<Buffer> none = send(web.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), READER, null);
            assertEquals(404, none.statusCode());
            assertTrue(none.bodyAsJsonObject().getString("error").contains("no rank analysis yet"), none.bodyAsString());

            // attach the real rank.csv: the rank rule's switch is t = 460 (as ScheduleTool printed)
            String csv = Files.readString(RANK_CSV);
            HttpResponse<Buffer> put = send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("csv", csv));
            assertEquals(200, put.statusCode(), put.bodyAsString());
            JsonObject rank = send(web.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), READER, null).bodyAsJsonObject();
            assertEquals(460, rank.getInteger("switchTimestep"));
            assertEquals("RECOMMENDED", rank.getString("switchSource"));
            assertEquals(2, rank.getJsonArray("curves").size());
            assertEquals(50, rank.getJsonArray("curves").getJsonObject(0).getJsonArray("points").size());
            assertEquals(1000, rank.getInteger("trainTimesteps"));
            // a chosen switch is kept as given
            assertEquals(200, send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("csv", csv).put("switchTimestep", 500)).statusCode());
            rank = send(web.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), READER, null).bodyAsJsonObject();
            assertEquals(500, rank.getInteger("switchTimestep"));
            assertEquals("GIVEN", rank.getString("switchSource"));

            // a card from the API: escaped
            assertEquals(200, send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/card"), ADMIN,
                    new JsonObject().put("markdown", "# Card\n\n<script>alert(1)</script> **ok**")).statusCode());
            card = send(web.get(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/card"), READER, null).bodyAsJsonObject();
            assertEquals("api", card.getString("source"));
            assertFalse(card.getString("html").contains("<script"), card.getString("html"));
            assertTrue(card.getString("html").contains("&lt;script&gt;alert(1)&lt;/script&gt; <strong>ok</strong>"));

            // errors: read-only token, unknown model, bad CSV, switch outside, report of another T
            assertEquals(403, send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), READER,
                    new JsonObject().put("csv", csv)).statusCode());
            HttpResponse<Buffer> unknown = send(web.put(port, "127.0.0.1", "/api/v1/models/nope/rank"), ADMIN,
                    new JsonObject().put("csv", csv));
            assertEquals(404, unknown.statusCode());
            assertTrue(unknown.bodyAsString().contains("model 'nope' is not registered"));
            HttpResponse<Buffer> bad = send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("csv", RankData.HEADER + "\nfull,0,9,32x32,1,1,1,1,thirty"));
            assertEquals(422, bad.statusCode());
            assertTrue(bad.bodyAsString().contains("line 2: seeds must be a non-negative integer, got 'thirty'"), bad.bodyAsString());
            HttpResponse<Buffer> outside = send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("csv", csv).put("switchTimestep", 2000));
            assertEquals(422, outside.statusCode());
            HttpResponse<Buffer> noCsv = send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("rows", 3));
            assertEquals(400, noCsv.statusCode());
            assertTrue(noCsv.bodyAsString().contains("'csv'"));
            HttpResponse<Buffer> otherT = send(web.put(port, "127.0.0.1", "/api/v1/models/emoji32-c2f/rank"), ADMIN,
                    new JsonObject().put("csv", RankData.HEADER + "\nfull,0,4000,32x32,3,3,3,3,32\nfull,1,10,32x32,2,3,3,3,32"));
            assertEquals(422, otherT.statusCode());
            assertTrue(otherT.bodyAsString().contains("belongs to another model"), otherT.bodyAsString());

            // the pages: list and model page shells
            HttpResponse<Buffer> page = result(web.get(port, "127.0.0.1", "/models/emoji32-c2f").send());
            assertEquals(200, page.statusCode());
            assertTrue(page.bodyAsString().contains("id=\"rank-chart\""));
            assertTrue(page.bodyAsString().contains("/dashboard/assets/model.js"));
            assertEquals(200, result(web.get(port, "127.0.0.1", "/models").send()).statusCode());
            assertEquals(404, result(web.get(port, "127.0.0.1", "/models/%3Cx%3E").send()).statusCode());
        } finally {
            web.close();
            result(c.stop());
            result(vertx.close());
        }
    }
}
