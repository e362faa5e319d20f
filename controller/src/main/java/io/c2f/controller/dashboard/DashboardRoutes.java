package io.c2f.controller.dashboard;

import static io.c2f.controller.api.Responses.error;
import static io.c2f.controller.api.Responses.fail;
import static io.c2f.controller.api.Responses.json;
import static io.c2f.controller.api.Responses.unavailable;

import io.c2f.controller.api.ApiRoutes;
import io.c2f.controller.api.BadRequestException;
import io.c2f.controller.api.QueryParams;
import io.c2f.controller.rollout.RolloutService;
import io.c2f.controller.store.DeviceRepository;
import io.c2f.proto.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The operator dashboard, served by the controller itself:
 * <ul>
 * <li>pages {@code /} (fleet), {@code /devices/{id}}, {@code /rollouts/{id}}, {@code /models},
 *     {@code /models/{id}} (card, rank plot, schedule catalog chart): HTML shells rendered
 *     here that carry no fleet data (they are public); their scripts read the API with the
 *     operator's token, so the API's auth rules hold for the dashboard too
 * <li>{@code /dashboard/assets/*}: the scripts and the stylesheet (bundled, no CDN)
 * <li>{@code GET /api/v1/dashboard/fleet?q=&status=&over=&sort=&order=&page=&limit=}: one page of
 *     the fleet table, a row per device (status, bundle, schedule, latency percentiles against the
 *     target, delegate, last seen, open install job), with the whole fleet's counts ({@link FleetView})
 * <li>{@code GET /api/v1/dashboard/devices/{id}/recent}: the device's last generations
 * <li>{@code GET /api/v1/dashboard/events[?devices=a,b]}: server-sent events (device, generation,
 *     job; with {@code devices}, only theirs plus a coalesced {@code fleet} event)
 * </ul>
 */
public final class DashboardRoutes implements ApiRoutes {
    private final String fleet;
    private final LiveFeed feed;
    private final FleetView fleetView;
    private final Pages pages;

    public DashboardRoutes(String fleet, DeviceRepository devices, RolloutService rollouts) {
        this.fleet = fleet;
        this.feed = new LiveFeed(fleet);
        this.fleetView = new FleetView(fleet, devices, rollouts, feed);
        this.pages = new Pages(fleet);
    }

    @Override
    public void mount(Vertx vertx, Router router) {
        fleetView.bind(vertx);
        feed.start(vertx);
        router.get("/").handler(rc -> pages.send(rc, "overview", null));
        router.get("/devices/:id").handler(rc -> {
            String id = rc.pathParam("id");
            if (!Topics.isValidId(id)) {
                pages.notFound(rc, "device id '" + id + "' is not valid (1-64 characters of [A-Za-z0-9_.-])");
            } else {
                pages.send(rc, "device", id);
            }
        });
        router.get("/rollouts/:id").handler(rc -> pages.send(rc, "rollout", rc.pathParam("id")));
        router.get("/models").handler(rc -> pages.send(rc, "models", null));
        router.get("/enrolment").handler(rc -> pages.send(rc, "enrolment", null));
        router.get("/models/:id").handler(rc -> {
            String id = rc.pathParam("id");
            if (!id.matches("[A-Za-z0-9._-]{1,128}")) {
                pages.notFound(rc, "model id '" + id + "' is not valid (1-128 characters of [A-Za-z0-9._-])");
            } else {
                pages.send(rc, "model", id);
            }
        });
        router.get("/dashboard/assets/*").handler(StaticHandler.create("dashboard/assets")
                .setCachingEnabled(false).setDefaultContentEncoding("UTF-8"));
        router.get("/api/v1/dashboard/fleet").handler(rc -> {
            FleetQuery query;
            try {
                query = FleetQuery.of(new QueryParams(rc));
            } catch (BadRequestException e) {
                fail(rc, e);
                return;
            }
            fleetView.page(query).onComplete(ar -> {
                if (ar.failed()) {
                    unavailable(rc, ar.cause());
                } else {
                    json(rc, 200, ar.result().put("fleet", fleet));
                }
            });
        });
        router.get("/api/v1/dashboard/devices/:id/recent").handler(rc -> {
            String id = rc.pathParam("id");
            if (!Topics.isValidId(id)) {
                error(rc, 400, "device id '" + id + "' must be 1-64 characters of [A-Za-z0-9_.-]");
                return;
            }
            json(rc, 200, new JsonObject().put("deviceId", id).put("maxSamples", LiveFeed.RECENT)
                    .put("samples", feed.recent(id)));
        });
        router.get("/api/v1/dashboard/events").handler(this::events);
    }

    /** {@code ?devices=a,b,c}: only those devices' events and the coalesced {@code fleet} event; without it, all. */
    private void events(RoutingContext rc) {
        String param = rc.queryParams().get("devices");
        if (param == null) {
            feed.attach(rc.response(), Optional.empty());
            return;
        }
        Set<String> ids = new HashSet<>();
        for (String id : param.split(",", -1)) {
            if (id.isEmpty()) {
                continue;
            }
            if (!Topics.isValidId(id)) {
                error(rc, 400, "devices: '" + QueryParams.clip(id) + "' is not a device id (1-64 characters of [A-Za-z0-9_.-])");
                return;
            }
            ids.add(id);
        }
        if (ids.size() > LiveFeed.MAX_WATCHED) {
            error(rc, 400, "devices: at most " + LiveFeed.MAX_WATCHED + " ids, got " + ids.size());
            return;
        }
        feed.attach(rc.response(), Optional.of(ids));
    }
}
