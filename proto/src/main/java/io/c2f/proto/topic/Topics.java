package io.c2f.proto.topic;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds and parses every c2f topic. No other code assembles topic strings.
 *
 * <p>Namespace: {@code c2f/v1/{fleet}/device/{deviceId}/{channel suffix}} for device channels and
 * {@code c2f/v1/{fleet}/{channel suffix}} for fleet-wide ones. Ids are 1-64 characters of
 * {@code [A-Za-z0-9_.-]}, so they can never contain MQTT wildcards, separators or a leading '$'.
 */
public final class Topics {
    public static final String ROOT = "c2f/v1";
    /** Id syntax, {@code [A-Za-z0-9_.-]{1,64}}; {@link #isValidId} accepts exactly what this regex matches. */
    static final String ID_REGEX = "[A-Za-z0-9_.-]{1,64}";
    private static final int MAX_ID_LENGTH = 64;
    private static final String DEVICE_LEVEL = "device";
    private static final Map<String, Channel> DEVICE_SUFFIXES = EnumSet.allOf(Channel.class).stream()
            .filter(c -> c.scope() == Channel.Scope.DEVICE)
            .collect(Collectors.toUnmodifiableMap(Channel::suffix, c -> c));
    private static final Map<String, Channel> FLEET_SUFFIXES = EnumSet.allOf(Channel.class).stream()
            .filter(c -> c.scope() == Channel.Scope.FLEET)
            .collect(Collectors.toUnmodifiableMap(Channel::suffix, c -> c));

    private final String fleet;

    private Topics(String fleet) {
        this.fleet = requireId("fleet", fleet);
    }

    /** Topics of one fleet. */
    public static Topics fleet(String fleet) {
        return new Topics(fleet);
    }

    public String fleetId() {
        return fleet;
    }

    /** The topic of a device channel. */
    public String device(String deviceId, Channel channel) {
        if (channel.scope() != Channel.Scope.DEVICE) {
            throw new IllegalArgumentException(channel + " is a fleet-wide channel; use fleetWide()");
        }
        return new TopicAddress(fleet, channel, deviceId).topic();
    }

    /** The topic of a fleet-wide channel. */
    public String fleetWide(Channel channel) {
        if (channel.scope() != Channel.Scope.FLEET) {
            throw new IllegalArgumentException(channel + " is a device channel; use device()");
        }
        return new TopicAddress(fleet, channel, null).topic();
    }

    /** Filter matching one device channel of every device: {@code c2f/v1/{fleet}/device/+/telemetry}. */
    public String allDevices(Channel channel) {
        if (channel.scope() != Channel.Scope.DEVICE) {
            throw new IllegalArgumentException(channel + " is a fleet-wide channel");
        }
        return ROOT + "/" + fleet + "/device/+/" + channel.suffix();
    }

    /**
     * A shared subscription ({@code $share/{group}/{filter}}) so several controller instances split
     * the messages of a filter between them. Needs a broker that supports shared subscriptions.
     */
    public static String shared(String group, String filter) {
        requireId("share group", group);
        return "$share/" + group + "/" + filter;
    }

    /** Every filter a controller subscribes to: device-published channels of all devices. */
    public List<String> controllerSubscriptions() {
        List<String> filters = new ArrayList<>();
        for (Channel c : Channel.values()) {
            if (c.direction() == Direction.DEVICE_TO_CONTROLLER) {
                filters.add(allDevices(c));
            }
        }
        return filters;
    }

    /**
     * Every topic one enrolled device subscribes to: its own controller channels plus the fleet-wide
     * ones (not its enrolment answer: that is read under the bootstrap login only).
     */
    public List<String> deviceSubscriptions(String deviceId) {
        List<String> topics = new ArrayList<>();
        for (Channel c : Channel.values()) {
            if (c.direction() != Direction.CONTROLLER_TO_DEVICE || c.enrolment()) {
                continue;
            }
            topics.add(c.scope() == Channel.Scope.DEVICE ? device(deviceId, c) : fleetWide(c));
        }
        return topics;
    }

    /** The one topic a device reads under its bootstrap login: its own (retained) enrolment answer. */
    public String enrolmentAnswer(String deviceId) {
        return device(deviceId, Channel.ENROL_ANSWER);
    }

    /** The one topic a device may publish under its bootstrap login: its own enrolment request. */
    public String enrolmentRequest(String deviceId) {
        return device(deviceId, Channel.ENROL_REQUEST);
    }

    /**
     * Parses any c2f topic.
     *
     * @throws UnknownTopicException naming what is wrong with the topic
     */
    public static TopicAddress parse(String topic) throws UnknownTopicException {
        if (topic == null || topic.isEmpty()) {
            throw new UnknownTopicException(String.valueOf(topic), "empty topic");
        }
        String prefix = ROOT + "/";
        if (!topic.startsWith(prefix)) {
            throw new UnknownTopicException(topic, "not in the " + ROOT + " namespace");
        }
        // levels scanned in place (no split/join): this runs for every message the controller ingests
        int fleetEnd = topic.indexOf('/', prefix.length());
        if (fleetEnd < 0) {
            throw new UnknownTopicException(topic, "too few topic levels");
        }
        String fleet = topic.substring(prefix.length(), fleetEnd);
        if (!isValidId(fleet)) {
            throw new UnknownTopicException(topic, "invalid fleet id '" + fleet + "'");
        }
        int second = fleetEnd + 1;
        int secondEnd = topic.indexOf('/', second);
        boolean deviceLevel = (secondEnd < 0 ? topic.length() : secondEnd) - second == DEVICE_LEVEL.length()
                && topic.startsWith(DEVICE_LEVEL, second);
        if (deviceLevel) {
            int deviceEnd = secondEnd < 0 ? -1 : topic.indexOf('/', secondEnd + 1);
            if (deviceEnd < 0) {
                throw new UnknownTopicException(topic, "device topic needs a device id and a channel");
            }
            String device = topic.substring(secondEnd + 1, deviceEnd);
            if (!isValidId(device)) {
                throw new UnknownTopicException(topic, "invalid device id '" + device + "'");
            }
            String suffix = topic.substring(deviceEnd + 1);
            Channel channel = DEVICE_SUFFIXES.get(suffix);
            if (channel == null) {
                throw new UnknownTopicException(topic, "unknown device channel '" + suffix + "'");
            }
            return new TopicAddress(fleet, channel, device);
        }
        String suffix = topic.substring(second);
        Channel channel = FLEET_SUFFIXES.get(suffix);
        if (channel == null) {
            throw new UnknownTopicException(topic, "unknown fleet channel '" + suffix + "'");
        }
        return new TopicAddress(fleet, channel, null);
    }

    /** Whether s is a valid fleet or device id. */
    public static boolean isValidId(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isIdChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** One character of {@code [A-Za-z0-9_.-]}, tested without a regex: ids are checked on every ingested message. */
    private static boolean isIdChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == '-';
    }

    static String requireId(String what, String value) {
        if (!isValidId(value)) {
            throw new IllegalArgumentException(what + " must be 1-64 characters of [A-Za-z0-9_.-], got '" + value + "'");
        }
        return value;
    }
}
