package io.c2f.proto.topic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The regex-free {@link Topics#isValidId} and in-place {@link Topics#parse} accept and reject exactly
 * what the regex and split/join versions they replaced did, on many generated ids and topics.
 */
class TopicsFastPathTest {
    private static final Pattern ID = Pattern.compile(Topics.ID_REGEX);
    /** Id characters, their neighbours in ASCII, separators, wildcards, and non-ASCII look-alikes. */
    private static final String ALPHABET = "azAZ09_.-@[`{/:,+#$ \t\u0000\u00e9\u0130\u212a\uff41\ud83d\ude00";

    @Test
    void isValidIdAcceptsExactlyWhatTheRegexMatches() {
        SplittableRandom random = new SplittableRandom(18);
        int accepted = 0;
        for (int n = 0; n < 200_000; n++) {
            String id = generatedId(random);
            boolean expected = ID.matcher(id).matches();
            assertEquals(expected, Topics.isValidId(id), () -> "id '" + id + "' (length " + id.length() + ")");
            accepted += expected ? 1 : 0;
        }
        // the generator must exercise both answers, or the comparison proves nothing
        assertEquals(true, accepted > 20_000 && accepted < 180_000, "accepted " + accepted + " of 200000");
        for (char c = 0; c < Character.MAX_VALUE; c++) {
            String one = String.valueOf(c);
            assertEquals(ID.matcher(one).matches(), Topics.isValidId(one), "char U+" + Integer.toHexString(c));
        }
        assertEquals(false, Topics.isValidId(null));
        assertEquals(true, Topics.isValidId("a".repeat(64)));
        assertEquals(false, Topics.isValidId("a".repeat(65)));
    }

    @Test
    void parseAgreesWithTheSplitAndJoinParserOnGeneratedTopics() {
        SplittableRandom random = new SplittableRandom(19);
        List<String> levels = new ArrayList<>(List.of("device", "telemetry", "birth", "state", "bundle", "chunk",
                "jobs", "", "devices", "devic", "Device", "+", "#"));
        for (Channel c : Channel.values()) {
            levels.addAll(Arrays.asList(c.suffix().split("/")));
        }
        int parsed = 0;
        for (int n = 0; n < 100_000; n++) {
            StringBuilder topic = new StringBuilder(random.nextInt(10) == 0 ? "c2f/v2/" : "c2f/v1/");
            if (random.nextBoolean()) {
                // shaped like a real topic (either scope's layout, any channel), with generated ids
                Channel c = Channel.values()[random.nextInt(Channel.values().length)];
                topic.append(generatedId(random));
                if (random.nextInt(4) > 0 ? c.scope() == Channel.Scope.DEVICE : random.nextBoolean()) {
                    topic.append("/device/").append(generatedId(random));
                }
                topic.append('/').append(c.suffix());
                String t = topic.toString();
                String expected = outcome(() -> splitAndJoinParse(t));
                assertEquals(expected, outcome(() -> Topics.parse(t)), () -> "topic '" + t + "'");
                parsed += expected.startsWith("ok ") ? 1 : 0;
                continue;
            }
            int count = random.nextInt(6);
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    topic.append('/');
                }
                int kind = random.nextInt(4);
                topic.append(kind == 0 ? generatedId(random) : levels.get(random.nextInt(levels.size())));
            }
            String t = topic.toString();
            String expected = outcome(() -> splitAndJoinParse(t));
            assertEquals(expected, outcome(() -> Topics.parse(t)), () -> "topic '" + t + "'");
            parsed += expected.startsWith("ok ") ? 1 : 0;
        }
        assertEquals(true, parsed > 10_000, "only " + parsed + " generated topics parsed: generator too narrow");
    }

    private interface Parse {
        TopicAddress run() throws UnknownTopicException;
    }

    private static String outcome(Parse parse) {
        try {
            TopicAddress a = parse.run();
            return "ok " + a.fleet() + " " + a.channel() + " " + a.deviceId();
        } catch (UnknownTopicException e) {
            return "error " + e.getMessage();
        }
    }

    private static String generatedId(SplittableRandom random) {
        int length = random.nextInt(8) == 0 ? 60 + random.nextInt(8) : random.nextInt(12);
        StringBuilder s = new StringBuilder(length);
        boolean clean = random.nextBoolean();
        for (int i = 0; i < length; i++) {
            if (clean || random.nextInt(10) > 0) {
                String ok = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
                s.append(ok.charAt(random.nextInt(ok.length())));
            } else {
                s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return s.toString();
    }

    /** The parser Topics used before issue 18, kept verbatim as the reference. */
    private static TopicAddress splitAndJoinParse(String topic) throws UnknownTopicException {
        if (topic == null || topic.isEmpty()) {
            throw new UnknownTopicException(String.valueOf(topic), "empty topic");
        }
        String prefix = Topics.ROOT + "/";
        if (!topic.startsWith(prefix)) {
            throw new UnknownTopicException(topic, "not in the " + Topics.ROOT + " namespace");
        }
        String[] levels = topic.substring(prefix.length()).split("/", -1);
        if (levels.length < 2) {
            throw new UnknownTopicException(topic, "too few topic levels");
        }
        String fleet = levels[0];
        if (!ID.matcher(fleet).matches()) {
            throw new UnknownTopicException(topic, "invalid fleet id '" + fleet + "'");
        }
        if (levels[1].equals("device")) {
            if (levels.length < 4) {
                throw new UnknownTopicException(topic, "device topic needs a device id and a channel");
            }
            String device = levels[2];
            if (!ID.matcher(device).matches()) {
                throw new UnknownTopicException(topic, "invalid device id '" + device + "'");
            }
            String suffix = String.join("/", Arrays.copyOfRange(levels, 3, levels.length));
            Channel channel = channelOf(suffix, Channel.Scope.DEVICE);
            if (channel == null) {
                throw new UnknownTopicException(topic, "unknown device channel '" + suffix + "'");
            }
            return new TopicAddress(fleet, channel, device);
        }
        String suffix = String.join("/", Arrays.copyOfRange(levels, 1, levels.length));
        Channel channel = channelOf(suffix, Channel.Scope.FLEET);
        if (channel == null) {
            throw new UnknownTopicException(topic, "unknown fleet channel '" + suffix + "'");
        }
        return new TopicAddress(fleet, channel, null);
    }

    private static Channel channelOf(String suffix, Channel.Scope scope) {
        for (Channel c : Channel.values()) {
            if (c.scope() == scope && c.suffix().equals(suffix)) {
                return c;
            }
        }
        return null;
    }
}
