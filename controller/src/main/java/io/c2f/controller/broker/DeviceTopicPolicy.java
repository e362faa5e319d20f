package io.c2f.controller.broker;

import io.c2f.proto.enrol.EnrolmentToken;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.topic.UnknownTopicException;
import java.util.Objects;

/**
 * The broker ACL of a fleet, decided from the wire contract rather than from an ACL file: a device
 * (username = client id = device id) may publish only on its own device-to-controller channels and
 * subscribe only to its own controller channels plus the fleet-wide ones, and never retain; an
 * enrolment bootstrap login (username {@code enrol.{tokenId}}, client id = the device id asked for)
 * may publish only its own enrolment request and subscribe only to its own enrolment answer; the
 * controller's admin user may publish and subscribe anywhere and retain on the contract's retained
 * channel. Anyone else may do nothing. The embedded broker applies it to every publish path
 * (PUBLISH, Last Will at CONNECT and when it fires).
 */
final class DeviceTopicPolicy {
    private final Topics topics;
    private final String adminUser;

    public DeviceTopicPolicy(String fleet, String adminUser) {
        this.topics = Topics.fleet(fleet);
        this.adminUser = Objects.requireNonNull(adminUser);
    }

    public boolean isAdmin(String user) {
        return !adminUser.isEmpty() && adminUser.equals(user);
    }

    public boolean canPublish(String topic, String user, String clientId) {
        if (isAdmin(user)) {
            return true;
        }
        if (isBootstrap(user, clientId)) {
            return topic.equals(topics.enrolmentRequest(clientId));
        }
        if (!isDevice(user, clientId)) {
            return false;
        }
        TopicAddress address;
        try {
            address = Topics.parse(topic);
        } catch (UnknownTopicException e) {
            return false;
        }
        return address.fleet().equals(topics.fleetId())
                && address.channel().direction() == Direction.DEVICE_TO_CONTROLLER
                && !address.channel().enrolment() // enrolment is the bootstrap login's, never an enrolled device's
                && user.equals(address.deviceId());
    }

    /**
     * Whether the user may set a retained message on the topic: only the controller, and only on a
     * channel the contract marks retained ({@code controller/state}) of this fleet. A device never
     * retains: a retained message outlives its connection and would greet every later subscriber.
     */
    public boolean canRetain(String topic, String user) {
        return isAdmin(user) && isRetainedChannel(topic);
    }

    /** Whether the topic is one of this fleet's channels the contract marks retained. */
    public boolean isRetainedChannel(String topic) {
        try {
            TopicAddress address = Topics.parse(topic);
            return address.fleet().equals(topics.fleetId()) && address.channel().retained();
        } catch (UnknownTopicException e) {
            return false;
        }
    }

    public boolean canSubscribe(String filter, String user, String clientId) {
        if (isAdmin(user)) {
            return true;
        }
        if (isBootstrap(user, clientId)) {
            return filter.equals(topics.enrolmentAnswer(clientId));
        }
        return isDevice(user, clientId) && topics.deviceSubscriptions(user).contains(filter);
    }

    /** A bootstrap login: its client id is the device id it asks for, so it may touch only that id's enrolment topics. */
    private boolean isBootstrap(String user, String clientId) {
        return !isAdmin(user) && EnrolmentToken.isBootstrapUsername(user) && Topics.isValidId(clientId)
                && !EnrolmentToken.isBootstrapUsername(clientId);
    }

    private static boolean isDevice(String user, String clientId) {
        return Topics.isValidId(user) && user.equals(clientId) && !EnrolmentToken.isBootstrapUsername(user);
    }
}
