package io.c2f.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.proto.topic.Channel;
import io.c2f.proto.topic.Direction;
import io.c2f.proto.topic.TopicAddress;
import io.c2f.proto.topic.Topics;
import io.c2f.proto.topic.UnknownTopicException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {
    private final Topics topics = Topics.fleet("demo");

    @ParameterizedTest
    @EnumSource(Channel.class)
    void everyChannelBuildsAndParsesBack(Channel channel) throws Exception {
        String topic = channel.scope() == Channel.Scope.DEVICE
                ? topics.device("cam-042", channel) : topics.fleetWide(channel);
        TopicAddress parsed = Topics.parse(topic);
        assertEquals(channel, parsed.channel());
        assertEquals("demo", parsed.fleet());
        assertEquals(topic, parsed.topic());
        if (channel.scope() == Channel.Scope.DEVICE) {
            assertEquals("cam-042", parsed.deviceId());
        }
    }

    @Test
    void concreteTopicStrings() {
        assertEquals("c2f/v1/demo/device/cam-042/telemetry", topics.device("cam-042", Channel.TELEMETRY));
        assertEquals("c2f/v1/demo/device/cam-042/job/notify", topics.device("cam-042", Channel.JOB_NOTIFY));
        assertEquals("c2f/v1/demo/controller/state", topics.fleetWide(Channel.CONTROLLER_STATE));
        assertEquals("c2f/v1/demo/device/+/telemetry", topics.allDevices(Channel.TELEMETRY));
        assertEquals("$share/controllers/c2f/v1/demo/device/+/telemetry",
                Topics.shared("controllers", topics.allDevices(Channel.TELEMETRY)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "c2f/v2/demo/device/a/birth", "c2f/v1", "c2f/v1/demo", "c2f/v1/demo/device/a",
        "c2f/v1/demo/device/a/nope", "c2f/v1/demo/device/a+b/birth", "c2f/v1/de#mo/controller/state",
        "c2f/v1/demo/device//birth", "c2f/v1/demo/fleet/nope", "c2f/v1/demo/device/a/birth/extra",
        "$SYS/broker/load"})
    void badTopicsAreRefusedWithTheReason(String topic) {
        UnknownTopicException e = assertThrows(UnknownTopicException.class, () -> Topics.parse(topic));
        assertTrue(e.getMessage().startsWith("topic '" + topic + "': "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "+", "#", "$share", "caf\u00e9"})
    void invalidIdsCannotBuildTopics(String id) {
        assertThrows(IllegalArgumentException.class, () -> topics.device(id, Channel.BIRTH));
        assertThrows(IllegalArgumentException.class, () -> Topics.fleet(id));
    }

    @Test
    void idsLongerThan64AreRefused() {
        assertThrows(IllegalArgumentException.class, () -> topics.device("x".repeat(65), Channel.BIRTH));
        assertEquals("c2f/v1/demo/device/" + "x".repeat(64) + "/birth", topics.device("x".repeat(64), Channel.BIRTH));
    }

    @Test
    void subscriptionsCoverEachDirection() {
        List<String> controller = topics.controllerSubscriptions();
        List<String> device = topics.deviceSubscriptions("cam-042");
        for (Channel c : Channel.values()) {
            boolean toController = c.direction() == Direction.DEVICE_TO_CONTROLLER;
            String expected = c.scope() == Channel.Scope.FLEET ? topics.fleetWide(c)
                    : toController ? topics.allDevices(c) : topics.device("cam-042", c);
            assertEquals(toController, controller.contains(expected), c.name());
            // an enrolled device never reads its enrolment answer: that is the bootstrap login's
            assertEquals(!toController && !c.enrolment(), device.contains(expected), c.name());
        }
    }

    @Test
    void theBootstrapLoginHasExactlyOneTopicEachWay() {
        assertEquals("c2f/v1/demo/device/cam-042/enrol/request", topics.enrolmentRequest("cam-042"));
        assertEquals("c2f/v1/demo/device/cam-042/enrol/answer", topics.enrolmentAnswer("cam-042"));
        assertEquals(Set.of(Channel.ENROL_REQUEST, Channel.ENROL_ANSWER),
                EnumSet.copyOf(Arrays.stream(Channel.values()).filter(Channel::enrolment).toList()));
    }

    /** proto/README.md documents every channel with the same direction, QoS and retain as the code. */
    @Test
    void theReadmeTableMatchesTheCode() throws Exception {
        Path readme = Path.of("README.md");
        List<String> rows = Files.readAllLines(readme).stream().filter(l -> l.startsWith("| ")).toList();
        Set<Channel> documented = EnumSet.noneOf(Channel.class);
        for (String row : rows) {
            String[] cells = row.split("\\|");
            String name = cells[1].trim();
            Channel channel;
            try {
                channel = Channel.valueOf(name);
            } catch (IllegalArgumentException notAChannelRow) {
                continue;
            }
            documented.add(channel);
            String topic = cells[2].trim().replace("`", "");
            String expectedTopic = channel.scope() == Channel.Scope.DEVICE
                    ? "c2f/v1/{fleet}/device/{deviceId}/" + channel.suffix()
                    : "c2f/v1/{fleet}/" + channel.suffix();
            assertEquals(expectedTopic, topic, name + " topic");
            String publisher = channel.direction() == Direction.DEVICE_TO_CONTROLLER ? "device" : "controller";
            assertEquals(publisher, cells[3].trim(), name + " publisher");
            assertEquals(String.valueOf(channel.qos()), cells[5].trim(), name + " QoS");
            assertEquals(channel.retained() ? "yes" : "no", cells[6].trim(), name + " retain");
            assertEquals(channel.messageType().getSimpleName(), cells[7].trim(), name + " message");
        }
        assertEquals(EnumSet.allOf(Channel.class), documented, "channels missing from proto/README.md");
    }
}
