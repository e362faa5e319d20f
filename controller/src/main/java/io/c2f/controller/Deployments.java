package io.c2f.controller;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The verticles a controller deployed, undeployed in reverse order. */
final class Deployments {
    private static final Logger LOG = LoggerFactory.getLogger(Deployments.class);

    private final Vertx vertx;
    private final Deque<String> ids = new ArrayDeque<>();

    Deployments(Vertx vertx) {
        this.vertx = vertx;
    }

    Future<Void> deploy(Deployable verticle) {
        return vertx.deployVerticle(verticle).map(id -> {
            ids.push(id);
            return null;
        });
    }

    /** Undeploys the latest first; a failure is logged and the rest still go. */
    Future<Void> undeployAll() {
        Future<Void> chain = Future.succeededFuture();
        while (!ids.isEmpty()) {
            String id = ids.pop();
            chain = chain.compose(v -> vertx.undeploy(id).otherwise(e -> {
                LOG.warn("undeploying {} failed: {}", id, e.getMessage());
                return null;
            }));
        }
        return chain;
    }
}
