package io.c2f.controller.enrol;

import io.c2f.controller.mqtt.EventAddresses;
import io.c2f.proto.codec.Inbound;
import io.c2f.proto.topic.Channel;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the enrolment requests devices publish (decoded by the MQTT ingress) to the
 * {@link EnrolmentService}. At start it first gives the broker the usable tokens and the accepted
 * devices, so it is deployed before the broker admits devices.
 */
public final class EnrolmentVerticle extends VerticleBase {
    private static final Logger LOG = LoggerFactory.getLogger(EnrolmentVerticle.class);
    private final EnrolmentService enrolments;

    public EnrolmentVerticle(EnrolmentService enrolments) {
        this.enrolments = enrolments;
    }

    @Override
    public Future<?> start() {
        return enrolments.restore().compose(v -> vertx.eventBus().<Inbound>consumer(
                EventAddresses.inbound(Channel.ENROL_REQUEST), m -> enrolments.handle(m.body()).onFailure(e ->
                        LOG.warn("enrolment request on {} not handled: {}", m.body().address(), e.getMessage())))
                .completion());
    }
}
