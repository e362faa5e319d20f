package io.c2f.controller.enrol;

import static io.c2f.controller.testing.Await.result;
import static io.c2f.controller.testing.TestControllers.ADMIN;
import static io.c2f.controller.testing.TestControllers.READER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.controller.Controller;
import io.c2f.controller.testing.TestControllers;
import io.c2f.proto.enrol.EnrolmentToken;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enrolment API over plain HTTP: who may do what (no token, read-only, admin), bodies that are
 * wrong get a 400 naming the field and store nothing, secrets never appear in a listing.
 */
@Timeout(120)
class EnrolmentApiTest {
    @TempDir
    Path dir;

    @Test
    void rolesBadBodiesAndSecrets() throws Exception {
        Vertx vertx = Vertx.vertx();
        Controller c = TestControllers.start(vertx, dir, TestControllers.adminAndReader());
        WebClient http = WebClient.create(vertx);
        try {
            Map<HttpMethod, List<String>> routes = Map.of(
                    HttpMethod.GET, List.of("/api/v1/enrolment-tokens", "/api/v1/enrolments"),
                    HttpMethod.POST, List.of("/api/v1/enrolment-tokens", "/api/v1/enrolments/d1/accept",
                            "/api/v1/enrolments/d1/reject", "/api/v1/devices/d1/decommission"),
                    HttpMethod.DELETE, List.of("/api/v1/enrolment-tokens/t1"));
            for (var e : routes.entrySet()) {
                for (String path : e.getValue()) {
                    assertEquals(401, send(http, c, e.getKey(), path, null, new JsonObject()).statusCode(), path);
                    int reader = send(http, c, e.getKey(), path, READER, new JsonObject()).statusCode();
                    assertEquals(e.getKey() == HttpMethod.GET ? 200 : 403, reader, "read-only " + e.getKey() + " " + path);
                }
            }

            Map<JsonObject, String> bad = Map.of(
                    new JsonObject().put("labels", "site=lab"), "labels",
                    new JsonObject().put("labels", new JsonObject().put("site", "a b")), "labels.site",
                    new JsonObject().put("maxUses", 0), "maxUses",
                    new JsonObject().put("maxUses", "3"), "maxUses",
                    new JsonObject().put("expiresAt", "tomorrow"), "expiresAt",
                    new JsonObject().put("autoAccept", "yes"), "autoAccept",
                    new JsonObject().put("id", "has.dot"), "id",
                    new JsonObject().put("secret", "mine"), "secret");
            for (var b : bad.entrySet()) {
                HttpResponse<Buffer> r = send(http, c, HttpMethod.POST, "/api/v1/enrolment-tokens", ADMIN, b.getKey());
                assertEquals(400, r.statusCode(), b.getKey().encode());
                assertTrue(r.bodyAsJsonObject().getString("error").contains(b.getValue()),
                        "the error names " + b.getValue() + ": " + r.bodyAsString());
            }
            assertEquals(400, result(http.post(c.httpPort(), "127.0.0.1", "/api/v1/enrolment-tokens")
                    .bearerTokenAuthentication(ADMIN).sendBuffer(Buffer.buffer("{not json"))).statusCode());
            assertEquals(0, tokens(http, c).size(), "no bad body stored a token");

            HttpResponse<Buffer> created = send(http, c, HttpMethod.POST, "/api/v1/enrolment-tokens", ADMIN,
                    new JsonObject().put("id", "lab-1").put("labels", new JsonObject().put("site", "lab"))
                            .put("maxUses", 5));
            assertEquals(201, created.statusCode(), created.bodyAsString());
            EnrolmentToken token = EnrolmentToken.parse(created.bodyAsJsonObject().getString("token"));
            assertEquals("lab-1", token.tokenId());
            assertEquals(409, send(http, c, HttpMethod.POST, "/api/v1/enrolment-tokens", ADMIN,
                    new JsonObject().put("id", "lab-1")).statusCode(), "ids are unique");
            JsonArray listed = tokens(http, c);
            assertEquals(1, listed.size());
            assertNull(listed.getJsonObject(0).getValue("token"));
            assertFalse(listed.encode().contains(token.secret()), "a listing never shows the secret");
            assertFalse(listed.encode().contains(token.secretSha256()), "nor its hash");
            assertEquals("enrol.lab-1", listed.getJsonObject(0).getString("username"));

            assertEquals(400, send(http, c, HttpMethod.GET, "/api/v1/enrolments?status=maybe", READER, null)
                    .statusCode());
            HttpResponse<Buffer> noReason = send(http, c, HttpMethod.POST, "/api/v1/enrolments/d1/reject", ADMIN,
                    new JsonObject());
            assertEquals(400, noReason.statusCode());
            assertTrue(noReason.bodyAsString().contains("reason"), noReason.bodyAsString());
            assertEquals(404, send(http, c, HttpMethod.POST, "/api/v1/enrolments/d1/accept", ADMIN, new JsonObject())
                    .statusCode());
            assertEquals(404, send(http, c, HttpMethod.DELETE, "/api/v1/enrolment-tokens/nope", ADMIN, null)
                    .statusCode());
            assertEquals(200, send(http, c, HttpMethod.DELETE, "/api/v1/enrolment-tokens/lab-1", ADMIN, null)
                    .statusCode());
            assertFalse(tokens(http, c).getJsonObject(0).getBoolean("usable"));
        } finally {
            http.close();
            result(c.stop());
            result(vertx.close());
        }
    }

    private static JsonArray tokens(WebClient http, Controller c) throws Exception {
        return send(http, c, HttpMethod.GET, "/api/v1/enrolment-tokens", READER, null).bodyAsJsonObject()
                .getJsonArray("tokens");
    }

    private static HttpResponse<Buffer> send(WebClient http, Controller c, HttpMethod method, String path, String token,
            JsonObject body) throws Exception {
        HttpRequest<Buffer> r = http.request(method, c.httpPort(), "127.0.0.1", path);
        if (token != null) {
            r.bearerTokenAuthentication(token);
        }
        return result(body == null ? r.send() : r.sendJsonObject(body));
    }
}
