package io.c2f.controller.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** A group of API routes from another package, mounted by {@link ApiVerticle} behind its auth and body handling. */
public interface ApiRoutes {
    void mount(Vertx vertx, Router router);

    /**
     * Whether these routes install their own body handlers (e.g. large uploads to disk); they are
     * then mounted before the shared JSON body handler, which would otherwise read the body first.
     */
    default boolean ownsBody() {
        return false;
    }
}
