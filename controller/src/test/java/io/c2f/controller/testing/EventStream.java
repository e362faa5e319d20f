package io.c2f.controller.testing;

import static io.c2f.controller.testing.Await.result;

import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A server-sent event stream of the dashboard read by a test: each frame ({@code event: ...\ndata:
 * ...\n}) lands in {@link #frames()} as it arrives.
 */
public record EventStream(HttpClientResponse response, BlockingQueue<String> frames) {

    /** Opens the stream with the bearer token; the handler is set as the response arrives, so no frame is missed. */
    public static EventStream open(HttpClient client, int port, String uri, String token) throws Exception {
        BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        StringBuilder buf = new StringBuilder();
        HttpClientResponse response = result(client.request(new RequestOptions().setMethod(HttpMethod.GET)
                .setHost("127.0.0.1").setPort(port).setURI(uri).putHeader("Authorization", "Bearer " + token))
                .compose(r -> r.send()).map(resp -> {
                    resp.handler(b -> {
                        buf.append(b.toString());
                        int i;
                        while ((i = buf.indexOf("\n\n")) >= 0) {
                            frames.add(buf.substring(0, i + 1));
                            buf.delete(0, i + 2);
                        }
                    });
                    return resp;
                }));
        return new EventStream(response, frames);
    }
}
