package io.c2f.controller.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscriptionIndexTest {
    private final SubscriptionIndex<String> index = new SubscriptionIndex<>();

    @Test
    void plusMatchesOneLevelAndHashTheRestIncludingTheParent() {
        index.add("c2f/v1/lab/device/+/telemetry", "controller", 1);
        index.add("c2f/v1/lab/device/d1/#", "d1-all", 0);
        index.add("c2f/v1/lab/device/d1/job/notify", "d1", 1);
        index.add("#", "everything", 0);
        assertEquals(Map.of("controller", 1, "d1-all", 0, "everything", 0),
                index.match("c2f/v1/lab/device/d1/telemetry"));
        assertEquals(Map.of("d1", 1, "d1-all", 0, "everything", 0), index.match("c2f/v1/lab/device/d1/job/notify"));
        assertEquals(Map.of("d1-all", 0, "everything", 0), index.match("c2f/v1/lab/device/d1"), "'a/#' matches 'a'");
        assertEquals(Map.of("everything", 0), index.match("c2f/v1/lab/device/d2/telemetry/extra"));
        assertEquals(Map.of("everything", 0), index.match("c2f/v1/lab/device//telemetry/x"));
        assertEquals(Map.of("controller", 1, "everything", 0), index.match("c2f/v1/lab/device//telemetry"),
                "'+' matches an empty level");
    }

    @Test
    void aSubscriberMatchedByOverlappingFiltersGetsTheHighestQos() {
        index.add("a/+", "s", 0);
        index.add("a/b", "s", 1);
        assertEquals(Map.of("s", 1), index.match("a/b"));
    }

    @Test
    void leadingWildcardsDoNotMatchDollarTopics() {
        index.add("#", "all", 0);
        index.add("+/x", "plus", 0);
        index.add("$SYS/#", "sys", 0);
        assertEquals(Map.of("sys", 0), index.match("$SYS/x"));
    }

    @Test
    void removingTheLastSubscriptionPrunesTheBranch() {
        index.add("a/b/c", "s", 1);
        index.add("a/+", "t", 1);
        index.remove("a/b/c", "s");
        assertEquals(Map.of(), index.match("a/b/c"));
        index.remove("a/+", "t");
        assertTrue(index.isEmpty());
    }

    @Test
    void topicNamesAndFiltersAreCheckedAsTheSpecificationSays() {
        assertTrue(TopicSyntax.isValidFilter("a/+/c/#"));
        assertTrue(TopicSyntax.isValidFilter("+"));
        assertFalse(TopicSyntax.isValidFilter("a/#/c"));
        assertFalse(TopicSyntax.isValidFilter("a/b#"));
        assertFalse(TopicSyntax.isValidFilter("a/+b"));
        assertFalse(TopicSyntax.isValidFilter(""));
        assertFalse(TopicSyntax.isValidName("a/+"));
        assertFalse(TopicSyntax.isValidName("a/#"));
        assertFalse(TopicSyntax.isValidName(""));
        assertFalse(TopicSyntax.isValidName("a\u0000b"));
        assertTrue(TopicSyntax.matches("a/+/c", "a/b/c"));
        assertTrue(TopicSyntax.matches("a/#", "a"));
        assertFalse(TopicSyntax.matches("+/c", "$SYS/c"));
        assertFalse(TopicSyntax.matches("a/b", "a/b/c"));
        assertEquals("bad?line", TopicSyntax.forLog("bad\nline"));
    }
}
