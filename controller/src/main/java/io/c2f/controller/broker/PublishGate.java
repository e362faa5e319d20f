package io.c2f.controller.broker;

/**
 * The one decision on every message that enters the broker, whatever its path: a client's PUBLISH,
 * a Last Will when the CONNECT that carries it arrives, and that will again when it fires. Moquette
 * 0.17 checked its ACL on PUBLISH only, so a device could aim its will at another device's command
 * topic; here a will the client could not have published itself refuses its connection.
 */
final class PublishGate {
    /** Why a message is refused. */
    enum Refusal {
        /** Empty, wildcard or NUL in the topic name: a protocol violation. */
        INVALID_TOPIC("invalid topic name"),
        /** QoS 2: not part of the c2f contract (proto/README.md), not implemented. */
        QOS_NOT_SUPPORTED("QoS 2 is not supported (the c2f contract uses QoS 0 and 1)"),
        /** The ACL does not let this login publish on the topic. */
        NOT_AUTHORIZED("not allowed to publish on this topic"),
        /** The retain flag on a topic this login may not retain on. */
        RETAIN_NOT_ALLOWED("not allowed to retain on this topic");

        final String reason;

        Refusal(String reason) {
            this.reason = reason;
        }
    }

    private final DeviceTopicPolicy policy;

    PublishGate(DeviceTopicPolicy policy) {
        this.policy = policy;
    }

    /** Null when the message may pass, else why not. */
    Refusal check(Identity who, String topic, int qos, boolean retain) {
        if (!TopicSyntax.isValidName(topic)) {
            return Refusal.INVALID_TOPIC;
        }
        if (qos > 1) {
            return Refusal.QOS_NOT_SUPPORTED;
        }
        if (!who.unrestricted() && !policy.canPublish(topic, who.user(), who.clientId())) {
            return Refusal.NOT_AUTHORIZED;
        }
        boolean mayRetain = who.role() == Identity.Role.ANONYMOUS ? policy.isRetainedChannel(topic)
                : policy.canRetain(topic, who.user());
        if (retain && !mayRetain) {
            return Refusal.RETAIN_NOT_ALLOWED;
        }
        return null;
    }
}
