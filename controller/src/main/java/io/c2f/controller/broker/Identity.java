package io.c2f.controller.broker;

/**
 * Who a connection logged in as.
 *
 * @param user the MQTT username (null when anonymous)
 */
record Identity(String clientId, String user, Role role) {
    enum Role {
        /** The controller's own login ({@code mqtt.username}): may publish and subscribe anywhere. */
        ADMIN,
        /** A device: username = client id = device id, confined by {@link DeviceTopicPolicy}. */
        DEVICE,
        /**
         * A device that holds only an enrolment token (username {@code enrol.{tokenId}}, client id =
         * the device id it asks for): may publish only its own enrolment request and read only its
         * own enrolment answer ({@link DeviceTopicPolicy}).
         */
        BOOTSTRAP,
        /** Anyone, with {@code broker.allow.anonymous=true}: development only, treated like the admin. */
        ANONYMOUS
    }

    /** Whether the ACL lets this login do anything (admin, or anyone in anonymous development mode). */
    boolean unrestricted() {
        return role == Role.ADMIN || role == Role.ANONYMOUS;
    }
}
