package io.c2f.controller.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.Topics;
import org.junit.jupiter.api.Test;

class DeviceTopicPolicyTest {
    private final Topics lab = Topics.fleet("lab");
    private final DeviceTopicPolicy policy = new DeviceTopicPolicy("lab", "admin");

    @Test
    void aDevicePublishesOnlyOnItsOwnUpstreamChannels() {
        for (Channel c : Channel.values()) {
            if (c.scope() != Channel.Scope.DEVICE) {
                assertFalse(policy.canPublish(lab.fleetWide(c), "d1", "d1"), c.name());
                continue;
            }
            // an enrolled device may not use the enrolment channels: they are the bootstrap login's
            boolean upstream = c.direction() == Direction.DEVICE_TO_CONTROLLER && !c.enrolment();
            assertTrue(policy.canPublish(lab.device("d1", c), "d1", "d1") == upstream, c.name());
            assertFalse(policy.canPublish(lab.device("d2", c), "d1", "d1"), "another device's " + c);
        }
        assertFalse(policy.canPublish(Topics.fleet("other").device("d1", Channel.BIRTH), "d1", "d1"), "other fleet");
        assertFalse(policy.canPublish(lab.device("d1", Channel.BIRTH), "d1", "d2"), "client id is not the user");
        assertFalse(policy.canPublish("c2f/v1/lab/device/d1/#", "d1", "d1"));
        assertFalse(policy.canPublish(lab.device("d1", Channel.BIRTH), null, "d1"), "anonymous");
    }

    @Test
    void aDeviceSubscribesOnlyToItsOwnCommandsAndTheFleetWideTopics() {
        for (String t : lab.deviceSubscriptions("d1")) {
            assertTrue(policy.canSubscribe(t, "d1", "d1"), t);
            assertFalse(policy.canSubscribe(t, "d2", "d2") && t.contains("/device/"), t);
        }
        assertFalse(policy.canSubscribe(lab.device("d2", Channel.JOB_NOTIFY), "d1", "d1"));
        assertFalse(policy.canSubscribe(lab.allDevices(Channel.TELEMETRY), "d1", "d1"));
        assertFalse(policy.canSubscribe("#", "d1", "d1"));
        assertFalse(policy.canSubscribe(lab.enrolmentAnswer("d1"), "d1", "d1"), "enrolled device reads enrol/answer");
    }

    @Test
    void aBootstrapLoginPublishesOnlyItsOwnEnrolmentRequestAndReadsOnlyItsOwnAnswer() {
        String boot = "enrol.tok-1";
        for (Channel c : Channel.values()) {
            String own = c.scope() == Channel.Scope.FLEET ? lab.fleetWide(c) : lab.device("new-1", c);
            assertTrue(policy.canPublish(own, boot, "new-1") == (c == Channel.ENROL_REQUEST), c.name());
            assertTrue(policy.canSubscribe(own, boot, "new-1") == (c == Channel.ENROL_ANSWER), c.name());
            assertFalse(policy.canRetain(own, boot), "a bootstrap login retained on " + c);
        }
        assertFalse(policy.canPublish(lab.enrolmentRequest("new-2"), boot, "new-1"), "another id's request");
        assertFalse(policy.canSubscribe(lab.enrolmentAnswer("new-2"), boot, "new-1"), "another id's answer");
        assertFalse(policy.canSubscribe(lab.allDevices(Channel.ENROL_ANSWER), boot, "new-1"), "every answer");
        assertFalse(policy.canPublish(lab.enrolmentRequest("enrol.x"), boot, "enrol.x"), "a bootstrap-like client id");
        assertFalse(policy.canPublish(Topics.fleet("other").enrolmentRequest("new-1"), boot, "new-1"), "other fleet");
        // a device whose username looks like a bootstrap login is no device
        assertFalse(policy.canPublish(lab.device("enrol.x", Channel.BIRTH), "enrol.x", "enrol.x"));
    }

    @Test
    void theAdminMayDoAnything() {
        assertTrue(policy.canSubscribe("c2f/v1/lab/device/+/telemetry", "admin", "c2f-controller-x"));
        assertTrue(policy.canPublish(lab.device("d1", Channel.JOB_NOTIFY), "admin", "anything"));
        assertFalse(new DeviceTopicPolicy("lab", "").isAdmin(""), "no admin when none is configured");
    }

    @Test
    void onlyTheAdminRetainsAndOnlyOnTheContractsRetainedChannel() {
        for (Channel c : Channel.values()) {
            String topic = c.scope() == Channel.Scope.FLEET ? lab.fleetWide(c) : lab.device("d1", c);
            assertFalse(policy.canRetain(topic, "d1"), "a device retained on " + c);
            // the controller retains the enrolment answer (a device reconnecting reads its status) and its state
            assertTrue(policy.canRetain(topic, "admin") == c.retained(), c.name());
        }
        assertFalse(policy.canRetain(Topics.fleet("other").fleetWide(Channel.CONTROLLER_STATE), "admin"), "other fleet");
        assertFalse(policy.canRetain("elsewhere", "admin"));
    }
}
