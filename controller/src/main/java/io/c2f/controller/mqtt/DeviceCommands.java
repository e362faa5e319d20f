package io.c2f.controller.mqtt;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.v1.BundleChunk;
import io.c2f.proto.v1.GenerateRequest;
import io.c2f.proto.v1.JobCommand;
import io.c2f.proto.v1.RebirthRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Sends commands to devices through the MQTT verticle. Each future completes when the broker
 * acknowledged the message (QoS 1), not when the device acted on it: answers come back on the
 * device's channels (job/status, generate/result, ...).
 */
public final class DeviceCommands {
    private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(30_000);
    private final Vertx vertx;

    public DeviceCommands(Vertx vertx) {
        this.vertx = vertx;
    }

    public Future<Void> sendJob(String deviceId, JobCommand command) {
        return send(new Outbound(deviceId, Channel.JOB_NOTIFY, command));
    }

    public Future<Void> sendGenerate(String deviceId, GenerateRequest request) {
        return send(new Outbound(deviceId, Channel.GENERATE_REQUEST, request));
    }

    public Future<Void> sendChunk(String deviceId, BundleChunk chunk) {
        return send(new Outbound(deviceId, Channel.BUNDLE_DATA, chunk));
    }

    /** Asks one device to publish its birth again (e.g. a heartbeat came from an unknown session). */
    public Future<Void> requestRebirth(String deviceId, String reason) {
        return send(new Outbound(deviceId, Channel.REBIRTH, RebirthRequest.newBuilder().setReason(reason).build()));
    }

    public Future<Void> send(Outbound outbound) {
        return vertx.eventBus().request(EventAddresses.OUTBOUND, outbound, OPTIONS).mapEmpty();
    }
}
